"""Corrections to citeproc-py 0.11.1's CSL processor, applied when this module is imported.

citeproc-py (pinned in requirements.txt; 0.11.1 is the newest release) departs from the CSL 1.0.2
specification in two rules that the published APA style relies on. The style is right; the
processor is patched here, following the specification's words, so that the references stay
citeproc-py's output of an unmodified published style.

1. **Group suppression judged by elements that did not render** (the "(Publication)" before a
   thesis). Spec, *Group*: a ``cs:group`` and its descendants are suppressed when at least one
   rendering element in it calls a variable (directly or through a macro) and all variables called
   are empty. ``cs:choose`` is transparent: only the branch taken for the item renders, so only its
   elements call variables. citeproc-py asks each *child* of the group whether it "calls a
   variable", statically: a ``cs:choose`` does if *any* of its branches does, and once such a child
   writes anything (a term) it counts as a variable rendered. APA's ``identifier-number`` macro is

   .. code-block:: xml

       <group delimiter=" ">
         <choose>
           <if type="thesis" variable="genre"><text value="publication"/></if>
           <else-if variable="number"><text variable="genre"/></else-if>
         </choose>
         <text macro="label-number"/>   <!-- the number -->
       </group>

   For a thesis with a genre and no number the taken branch writes only the word "Publication" and
   the number is empty, so the group must vanish; citeproc-py counted the untaken ``else-if``'s
   ``genre`` and wrote "(Publication)". Here the group keeps count as it renders
   (:func:`_group_process`): every ``cs:text``, ``cs:names``, ``cs:number`` and ``cs:date`` that
   renders a variable, wherever it is below the group (through macros and the branches taken),
   reports whether the variable was empty (:func:`_report`).

2. **Substituted variables printed again** (the title twice for an item with no author).
   Spec, *Substitute*: "Substituted variables are suppressed in the rest of the output to prevent
   duplication", and count as empty for group suppression. citeproc-py suppresses only the
   ``variable`` attribute of the substituting element (APA's last substitute,
   ``<text macro="author-title-substitute"/>``, has none: nothing was suppressed and the title came
   back), and only ``cs:text`` looks at what it suppressed (an editor substituted for the author
   came back after the title, "(Trần B, ed.)", and an edition written with ``cs:number``).
   :func:`_substitute_render` suppresses every variable the substitute rendered, and ``cs:names``,
   ``cs:number`` and ``cs:date`` leave a suppressed variable out like ``cs:text`` does.

Conditions (``<if variable="title">``) still see a suppressed variable, as in citeproc-js. The
tests (``tests/test_library_citations.py``) fail without this module. Review it when upgrading
citeproc-py: if a release fixes these, delete it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import citeproc
from citeproc.model import Choose, Date, Group, Names, Number, Substitute, Text
from citeproc.source import VariableError

PATCHED_VERSION = "0.11.1"
_CSL = "{http://purl.org/net/xbiblio/csl}"
# citeproc-py's Layout.repressed holds suppressed variables by the tag of the element that must leave
# them out; it reads only the "text" key itself (Text._variable), the others are read here.
_SUPPRESSING_TAGS = tuple(f"{_CSL}{tag}" for tag in ("text", "names", "number", "date"))


@dataclass
class _GroupCount:
    called: bool = False  # a variable was called below the group
    rendered: bool = False  # and one of them was not empty


@dataclass
class _State(threading.local):
    groups: list[_GroupCount] = field(default_factory=list)  # the groups being rendered, innermost last
    substitutes: list[set[str]] = field(default_factory=list)  # variables rendered by substitutes


_state = _State()


def _report(variable: str, rendered: bool) -> None:
    """A rendering element called ``variable``; ``rendered``: it was not empty (nor suppressed)."""
    if _state.groups:
        count = _state.groups[-1]
        count.called = True
        count.rendered = count.rendered or rendered
    if rendered:
        for variables in _state.substitutes:
            variables.add(variable)


def _is_suppressed(element, variable: str, context) -> bool:
    try:
        layout = (context if context is not None else element).get_layout()
    except IndexError:  # not rendered inside a layout: nothing is suppressed
        return False
    return variable in getattr(layout, "repressed", {}).get(element.tag, ())


# --- the patched methods: citeproc-py 0.11.1's, changed where marked "fix" ------------------


def _group_process(self, item, context=None, **kwargs):
    count = _GroupCount()
    _state.groups.append(count)
    output = []
    try:
        delimiter = self.get("delimiter", "")
        for child in self.iterchildren():
            try:
                if isinstance(child, Choose):
                    child_text = child.render(item, context=context, delimiter=delimiter, **kwargs)
                else:
                    child_text = child.render(item, context=context, **kwargs)
                if child_text is not None:
                    output.append(child_text)
            except VariableError:
                pass
    finally:
        _state.groups.pop()
    # fix 1: the variables called while rendering decide (citeproc-py judged each child statically)
    shown = bool(output) and not (count.called and not count.rendered)
    if _state.groups:
        # For the enclosing group, a nested group shown counts as a variable rendered, one suppressed
        # as an empty variable (as in citeproc-py, citeproc-js and the CSL test suite).
        outer = _state.groups[-1]
        outer.called = outer.called or count.called or shown
        outer.rendered = outer.rendered or shown
    if shown:
        return self.join(output)
    raise VariableError


def _substitute_render(self, item, context=None, **kwargs):
    text = None
    for child in self.getchildren():
        rendered: set[str] = set()
        _state.substitutes.append(rendered)
        try:
            if isinstance(child, Names) and child.name is None:
                names = self.xpath_search("./parent::cs:names[1]")[0]
                text = child.render(item, names_context=names, context=context, **kwargs)
            else:
                text = child.render(item, context=context, **kwargs)
        except VariableError:
            continue
        finally:
            _state.substitutes.pop()
        if text:
            # fix 2: suppress every variable the substitute rendered (citeproc-py: only the child's
            # own "variable" attribute), for every element that renders variables
            layout = (context if context is not None else self).get_layout()
            for tag in _SUPPRESSING_TAGS:
                layout.repressed[tag] = [*layout.repressed.get(tag, []), *sorted(rendered)]
            break
    return text


_unpatched = {"text": Text.process, "names": Names.process, "number": Number.process, "date": Date.process}


def _text_process(self, item, context=None, **kwargs):
    process = _unpatched["text"]
    variable = self.get("variable")
    if variable is None or variable in Text.generated_variables:  # a term, a value, a macro
        return process(self, item, context=context, **kwargs)
    try:
        text, language = process(self, item, context=context, **kwargs)  # None when suppressed
    except VariableError:
        _report(variable, False)
        raise
    _report(variable, bool(text))
    return text, language


def _names_process(self, item, names_context=None, context=None, **kwargs):
    # fix 2: suppressed name variables are empty here (if all are, the substitute runs, as for empty
    # ones). citeproc-py's Names.process reads the variables from the element's attribute, so the
    # attribute is narrowed while it runs and restored after; a parsed style is rendered by one
    # thread at a time (library.citations holds a lock: citeproc-py keeps its state on the tree).
    process = _unpatched["names"]
    variables = self.get("variable", "")
    kept = [variable for variable in variables.split() if not _is_suppressed(self, variable, context)]
    if kept != variables.split():
        self.set("variable", " ".join(kept))
    try:
        text = process(self, item, names_context=names_context, context=context, **kwargs)
    except VariableError:
        text = None
        raise
    finally:
        if kept != variables.split():
            self.set("variable", variables)
        for variable in kept:
            _report(variable, bool(text) and variable.replace("-", "_") in item.reference)
    return text


def _reporting(kind: str):
    """``cs:number``'s or ``cs:date``'s process, reporting the variable it renders (fix 1) and
    raising ``VariableError`` (what a missing variable raises) for a suppressed one (fix 2)."""
    process = _unpatched[kind]

    def reporting_process(self, item, *args, context=None, **kwargs):
        # Date.process(item, variable=None, ...): a locale's date format is given the style's variable.
        given = (args[0] if args else kwargs.get("variable")) if kind == "date" else None
        variable = given or self.get("variable", "")
        if _is_suppressed(self, variable, context):
            _report(variable, False)
            raise VariableError(variable)
        try:
            text = process(self, item, *args, context=context, **kwargs)
        except VariableError:
            _report(variable, False)
            raise
        _report(variable, bool(text))
        return text

    return reporting_process


def apply() -> None:
    """Patch citeproc-py's classes (idempotent)."""
    Group.process = _group_process
    Substitute.render = _substitute_render
    Text.process = _text_process
    Names.process = _names_process
    Number.process = _reporting("number")
    Date.process = _reporting("date")


if citeproc.__version__ != PATCHED_VERSION:  # pragma: no cover - the requirement is pinned
    raise ImportError(
        f"library.citeproc_fixes patches citeproc-py {PATCHED_VERSION}, found {citeproc.__version__}: "
        "check whether the new release fixes these cases (tests/test_library_citations.py), then update or delete it"
    )
apply()
