from server.domain.diffs import diff_text, word_segments


def test_identical_texts_have_no_hunks():
    assert diff_text("a\nb\n", "a\nb\n") == []


def test_a_changed_word_is_marked_inside_its_line():
    left, right = word_segments("The quick brown fox", "The quick red fox")
    assert [(s.text, s.changed) for s in left] == [("The quick ", False), ("brown", True),
                                                  (" fox", False)]
    assert [(s.text, s.changed) for s in right] == [("The quick ", False), ("red", True),
                                                   (" fox", False)]


def test_hunks_carry_line_numbers_and_kinds():
    old = "one\ntwo\nthree\nfour\n"
    new = "one\n2\nthree\nfour\nfive\n"
    [hunk] = diff_text(old, new)
    kinds = [(line.kind, line.old_number, line.new_number) for line in hunk.lines]
    assert kinds == [("context", 1, 1), ("del", 2, None), ("add", None, 2),
                     ("context", 3, 3), ("context", 4, 4), ("add", None, 5)]


def test_far_apart_changes_make_separate_hunks():
    old = "\n".join(str(n) for n in range(40))
    new = old.replace("3\n", "three\n", 1).replace("35", "thirty-five")
    assert len(diff_text(old, new)) == 2
