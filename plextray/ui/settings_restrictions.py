"""Settings tab: each person's restrictions, with validation errors shown next to the field.

The form is drawn from the restriction type's own fields (plextray.core.restriction_types):
labels, defaults and kinds of widget come from there, so a new type needs no change here.
A new restriction is checked twice before it joins the document: by the form's own step function
(required fields, HH:MM, known ratings) and by the profile store's validator, whose JSON paths
are mapped back to the form fields. Combined rules (all/any/not) are listed but edited in JSON.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk
from typing import Any

from plextray.core.restriction_types import REGISTRY
from plextray.core.restriction_types.base import FormField
from plextray.ui import settings_steps as steps
from plextray.ui.settings_common import PAD, FieldGrid, entry

ACTIONS_LABEL = "When broken"


class RestrictionsTab(ttk.Frame):
    def __init__(self, parent: tk.Misc, window: Any) -> None:
        super().__init__(parent, padding=8)
        self.window = window
        self.columnconfigure(1, weight=1)
        ttk.Label(self, text="Person").grid(row=0, column=0, sticky="w", **PAD)
        self.person_combo = ttk.Combobox(self, state="readonly", width=20)
        self.person_combo.grid(row=0, column=1, sticky="w", **PAD)
        self.person_combo.bind("<<ComboboxSelected>>", lambda _e: self.refresh_list())
        self.listbox = tk.Listbox(self, height=6, exportselection=False)
        self.listbox.grid(row=1, column=0, columnspan=3, sticky="nsew", **PAD)
        buttons = ttk.Frame(self)
        buttons.grid(row=2, column=0, columnspan=3, sticky="w")
        self.edit_button = ttk.Button(buttons, text="Edit selected", command=self.edit_selected)
        self.edit_button.pack(side="left", **PAD)
        self.remove_button = ttk.Button(buttons, text="Remove selected", command=self.remove_selected)
        self.remove_button.pack(side="left", **PAD)
        self.listbox.bind("<Double-Button-1>", lambda _e: self.edit_selected())
        self.editing: int | None = None  # the rule the form is changing, or None: the form adds one
        box = ttk.LabelFrame(self, text="Add a restriction", padding=6)
        self.form_box = box
        box.grid(row=3, column=0, columnspan=3, sticky="nsew", **PAD)
        box.columnconfigure(1, weight=1)
        ttk.Label(box, text="Type").grid(row=0, column=0, sticky="w", **PAD)
        self.type_combo = ttk.Combobox(box, state="readonly", values=steps.restriction_types(), width=12)
        self.type_combo.grid(row=0, column=1, sticky="w", **PAD)
        self.type_combo.bind("<<ComboboxSelected>>", lambda _e: self.show_type(self.type_combo.get()))
        self.fields_frame = ttk.Frame(box)
        self.fields_frame.grid(row=1, column=0, columnspan=3, sticky="nsew")
        self.add_button = ttk.Button(box, text="Add", command=self.add)
        self.add_button.grid(row=2, column=0, sticky="w", **PAD)
        self.cancel_edit_button = ttk.Button(box, text="Cancel edit", command=self.cancel_edit)
        self.note = ttk.Label(box, text="", wraplength=520)
        self.note.grid(row=3, column=0, columnspan=3, sticky="w", **PAD)
        self.grid_fields: FieldGrid | None = None
        self.fields: dict[str, Any] = {}
        self.action_vars: dict[str, str] = {}  # Tcl variable names, not tk.Variable objects (see show_type)
        self.action_checks: dict[str, ttk.Checkbutton] = {}
        self.refresh()
        self.show_type("time")

    # ---- people and the list -------------------------------------------------------------

    def refresh(self) -> None:
        names = steps.person_names(self.window.doc)
        self.person_combo.configure(values=names)
        if self.person_combo.get() not in names:
            self.person_combo.set(names[0] if names else "")
        self.refresh_list()

    def select_person(self, name: str) -> None:
        self.person_combo.set(name)
        self.refresh_list()

    def restrictions(self) -> list[dict[str, Any]]:
        found = steps.person(self.window.doc, self.person_combo.get())
        return list(found.get("restrictions", [])) if found else []

    def refresh_list(self) -> None:
        from plextray.ui.settings_rules import plain_words

        self.listbox.delete(0, "end")
        for index, restriction in enumerate(self.restrictions(), 1):
            self.listbox.insert("end", f"{index}. {plain_words(restriction)}")

    def remove_selected(self) -> bool:
        picked = self.listbox.curselection()
        if not picked or not self.person_combo.get():
            return False
        self.cancel_edit()
        self.window.set_doc(steps.remove_restriction(self.window.doc, self.person_combo.get(), int(picked[0])))
        return True

    def edit_selected(self) -> bool:
        """Load the selected rule into the form; its button then saves the change in place."""
        picked = self.listbox.curselection()
        rules = self.restrictions()
        if not picked or int(picked[0]) >= len(rules):
            return False
        rule = rules[int(picked[0])]
        kind = rule.get("type", "")
        if kind not in steps.restriction_types():
            self.note.configure(text="Combined rules (all/any/not) are edited in profiles.json.")
            return False
        self.show_type(kind)
        form = steps.restriction_form(rule)
        for name, widget in self.fields.items():
            if name not in form:
                continue
            if isinstance(widget, (ttk.Combobox, ttk.Spinbox)):
                widget.set(form[name])
            else:
                widget.delete(0, "end")
                widget.insert(0, form[name])
        for action, var in self.action_vars.items():
            self.setvar(var, "1" if action in form.get("actions", []) else "0")
        self.editing = int(picked[0])
        self.form_box.configure(text=f"Edit rule {self.editing + 1}")
        self.add_button.configure(text="Save rule")
        self.cancel_edit_button.grid(row=2, column=1, sticky="w", **PAD)
        return True

    def cancel_edit(self) -> None:
        self.editing = None
        self.form_box.configure(text="Add a restriction")
        self.add_button.configure(text="Add")
        self.cancel_edit_button.grid_remove()

    # ---- the form ------------------------------------------------------------------------

    def show_type(self, kind: str) -> None:
        """Rebuild the form for `kind`, with sensible defaults."""
        for child in self.fields_frame.winfo_children():
            child.destroy()
        self.type_combo.configure(values=steps.restriction_types())
        self.type_combo.set(kind)
        grid = FieldGrid(self.fields_frame)
        self.fields = {}
        for field in REGISTRY[kind].fields:
            self.fields[field.name] = grid.add(field.name, field.label, self._widget(field))
        actions = ttk.Frame(self.fields_frame)
        self.action_vars, self.action_checks = {}, {}
        for column, action in enumerate(steps.ACTIONS):
            # Plain Tcl variables: a tk.BooleanVar's __del__ calls Tcl from whatever thread the garbage
            # collector happens to run on, which Tk refuses outside the main loop.
            var = f"plextray_action_{action}_{id(self)}"
            self.setvar(var, "1" if action in ("notify", "stop") else "0")
            check = ttk.Checkbutton(actions, text=action, variable=var, onvalue="1", offvalue="0")
            check.grid(row=0, column=column, sticky="w")
            self.action_vars[action], self.action_checks[action] = var, check
        grid.add("actions", ACTIONS_LABEL, actions)
        self.grid_fields = grid

    def _widget(self, field: FormField) -> Any:
        """The widget for one field of a type's form, holding its default."""
        widget: Any
        if field.kind == "choice":
            widget = ttk.Combobox(self.fields_frame, values=field.choices, width=18,
                                  state="normal" if field.typed else "readonly")
            widget.set(field.default)
        elif field.kind == "number":
            widget = ttk.Spinbox(self.fields_frame, from_=1, to=100000, width=8)
            widget.set(field.default)
        else:
            widget = entry(self.fields_frame, field.default, width=24)
        return widget

    def form_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {name: widget.get() for name, widget in self.fields.items()}
        values["actions"] = [a for a, var in self.action_vars.items() if str(self.getvar(var)) == "1"]
        return values

    def add(self) -> bool:
        """Validate the form; on success the restriction joins the person's list (saved with Save)."""
        assert self.grid_fields is not None
        name = self.person_combo.get()
        if not name:
            self.grid_fields.show_errors({"actions": "Add a person on the People tab first"})
            return False
        from plextray.ui.settings_rules import conflict

        restriction, errors = steps.build_restriction(self.type_combo.get(), self.form_values())
        found = None
        if restriction is not None:
            found = conflict(self.restrictions(), restriction, editing=self.editing)
            if found is not None and found[0] == "duplicate":
                self.note.configure(text=found[1])
                return False
            if self.editing is not None:
                candidate = steps.replace_restriction(self.window.doc, name, self.editing, restriction)
                restriction_index = self.editing
            else:
                candidate = steps.add_restriction(self.window.doc, name, restriction)
                restriction_index = len(steps.person(candidate, name)["restrictions"]) - 1
            person_index = steps.person_names(candidate).index(name)
            errors = steps.issues_to_fields(self.window.validate(candidate), person_index, restriction_index,
                                            restriction["type"])
        if errors:
            known = set(self.grid_fields.errors)
            unplaced = {k: v for k, v in errors.items() if k not in known}
            if unplaced:  # a rule the form has no field for: show it under the actions row
                errors = {**errors, "actions": "; ".join(f"{k}: {v}" for k, v in unplaced.items())}
            self.grid_fields.show_errors(errors)
            return False
        self.grid_fields.show_errors({})
        self.note.configure(text=f"Warning: {found[1]}" if found is not None else "")
        self.cancel_edit()
        self.window.set_doc(candidate)
        return True
