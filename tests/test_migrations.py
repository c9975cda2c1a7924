from server.db.migrate import _statements, migration_files


def test_comments_may_hold_semicolons():
    sql = ("-- first; still a comment\nCREATE TABLE a (x INT);\n"
           "  -- another; one\nCREATE TABLE b (y INT)\n")
    assert _statements(sql) == ["CREATE TABLE a (x INT)", "CREATE TABLE b (y INT)"]


def test_migrations_are_numbered_without_gaps():
    numbers = [n for n, _, _ in migration_files()]
    assert numbers == list(range(1, len(numbers) + 1))
