/**
 * The Markdown editor (CodeMirror 6). Loaded with a dynamic import by `Editor.tsx`,
 * so the editor's code is its own chunk and the rest of the app stays small.
 */
import { markdownKeymap, markdownLanguage } from '@codemirror/lang-markdown';
import { HighlightStyle, LanguageSupport, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { tags as t } from '@lezer/highlight';
import { minimalSetup } from 'codemirror';

export interface EditorOptions {
  doc: string;
  readOnly: boolean;
  /** The accessible name of the text area, e.g. "RFC text". */
  label: string;
  /** Id of an element describing the editor (e.g. why it is read-only). */
  describedBy?: string;
  onChange: (text: string) => void;
  /** Ctrl/Cmd+S inside the editor. */
  onSave?: () => void;
}

export interface EditorHandle {
  getText(): string;
  /** Replace the whole text (undoable). */
  setText(text: string): void;
  setReadOnly(readOnly: boolean): void;
  focus(): void;
  destroy(): void;
}

/** Markdown tokens get classes; their colours come from the app's light/dark tokens (editing.css). */
const markdownStyle = HighlightStyle.define([
  { tag: t.heading, class: 'cmt-heading' },
  { tag: [t.heading1, t.heading2], class: 'cmt-heading cmt-heading--big' },
  { tag: t.emphasis, class: 'cmt-em' },
  { tag: t.strong, class: 'cmt-strong' },
  { tag: t.strikethrough, class: 'cmt-strike' },
  { tag: [t.link, t.url], class: 'cmt-link' },
  { tag: t.monospace, class: 'cmt-code' },
  { tag: t.quote, class: 'cmt-quote' },
  { tag: [t.processingInstruction, t.contentSeparator, t.meta], class: 'cmt-mark' },
  { tag: [t.comment], class: 'cmt-muted' },
]);

const theme = EditorView.theme({
  '&': {
    height: '100%',
    backgroundColor: 'var(--surface)',
    color: 'var(--fg)',
  },
  '&.cm-focused': {
    outline: '3px solid var(--focus)',
    outlineOffset: '-3px',
  },
  '.cm-scroller': {
    fontFamily: 'var(--font-mono)',
    fontSize: '0.9375rem',
    lineHeight: '1.65',
    overflow: 'auto',
  },
  '.cm-content': {
    padding: '1rem 0 3rem',
    caretColor: 'var(--fg)',
    maxWidth: '80ch',
  },
  '.cm-line': {
    padding: '0 1rem',
  },
  '.cm-cursor, .cm-dropCursor': {
    borderLeftColor: 'var(--fg)',
    borderLeftWidth: '2px',
  },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection':
    {
      backgroundColor: 'var(--cm-selection)',
    },
});

export function createEditor(parent: HTMLElement, options: EditorOptions): EditorHandle {
  const readOnly = new Compartment();
  const readOnlyExtensions = (on: boolean) => [
    EditorState.readOnly.of(on),
    EditorView.contentAttributes.of(on ? { 'aria-readonly': 'true' } : {}),
  ];
  let silent = false;
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.doc,
      extensions: [
        minimalSetup,
        EditorView.lineWrapping,
        // GitHub-flavoured Markdown without `markdown()`'s embedded HTML/CSS/JS grammars (a third of the size).
        new LanguageSupport(markdownLanguage),
        Prec.high(keymap.of(markdownKeymap)),
        keymap.of([
          {
            key: 'Mod-s',
            preventDefault: true,
            run: () => {
              options.onSave?.();
              return true;
            },
          },
        ]),
        syntaxHighlighting(markdownStyle),
        theme,
        EditorView.contentAttributes.of({
          'aria-label': options.label,
          ...(options.describedBy ? { 'aria-describedby': options.describedBy } : {}),
          spellcheck: 'true',
          autocorrect: 'on',
          autocapitalize: 'sentences',
        }),
        readOnly.of(readOnlyExtensions(options.readOnly)),
        EditorView.updateListener.of((update) => {
          if (update.docChanged && !silent) options.onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    getText: () => view.state.doc.toString(),
    setText(text) {
      if (text === view.state.doc.toString()) return;
      silent = true;
      try {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      } finally {
        silent = false;
      }
    },
    setReadOnly(on) {
      view.dispatch({ effects: readOnly.reconfigure(readOnlyExtensions(on)) });
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
