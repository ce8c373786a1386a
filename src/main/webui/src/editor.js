// The code editor: CodeMirror with SQL or Python highlighting, Ctrl/Cmd+Enter to run, and the
// line of an error marked where the service says it is.
import { basicSetup, EditorView } from "codemirror";
import { Compartment, EditorSelection, StateEffect, StateField, Prec } from "@codemirror/state";
import { Decoration, keymap } from "@codemirror/view";
import { sql } from "@codemirror/lang-sql";
import { python } from "@codemirror/lang-python";

const markError = StateEffect.define();
const errorLine = StateField.define({
  create: () => Decoration.none,
  update(marks, tr) {
    for (const effect of tr.effects) {
      if (effect.is(markError)) {
        if (effect.value === null) return Decoration.none;
        const line = tr.state.doc.line(effect.value);
        return Decoration.set([Decoration.line({ class: "cm-error-line" }).range(line.from)]);
      }
    }
    return tr.docChanged ? Decoration.none : marks.map(tr.changes);
  },
  provide: (field) => EditorView.decorations.from(field),
});

export function createEditor(parent, { doc, label, onRun }) {
  const language = new Compartment();
  const view = new EditorView({
    parent,
    doc,
    extensions: [
      Prec.highest(keymap.of([{ key: "Mod-Enter", run: () => (onRun(), true) }])),
      basicSetup,
      language.of(sql()),
      errorLine,
      EditorView.contentAttributes.of({ "aria-label": label }),
    ],
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    setLanguage(name) {
      view.dispatch({ effects: language.reconfigure(name === "python" ? python() : sql()) });
    },
    /** Marks the error's line (1-based) and puts the cursor at its column. */
    markError(line, column) {
      if (!line || line > view.state.doc.lines) {
        view.dispatch({ effects: markError.of(null) });
        return;
      }
      const at = view.state.doc.line(line);
      const pos = Math.min(at.to, at.from + Math.max(0, (column || 1) - 1));
      view.dispatch({
        effects: markError.of(line),
        selection: EditorSelection.cursor(pos),
        scrollIntoView: true,
      });
    },
    clearError() {
      view.dispatch({ effects: markError.of(null) });
    },
    focus: () => view.focus(),
  };
}
