"""Algorithm parameters and the explanation of one decision (CRPA L311-3-1, R311-3-1-2)."""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PARAM_TYPES = ("number", "boolean", "choice")


def validate_parameter_specs(specs: Any) -> None:
    """Check the shape of an algorithm's parameter list (names unique, weights numbers…)."""
    if not isinstance(specs, list):
        raise ValidationError({"parameters": _("Les paramètres sont une liste.")})
    seen: set[str] = set()
    for i, spec in enumerate(specs):
        where = f"parameters[{i}]"
        if not isinstance(spec, dict):
            raise ValidationError({"parameters": _("{w} : un objet est attendu.").format(w=where)})
        name = spec.get("name")
        if not isinstance(name, str) or not name.strip() or name in seen:
            raise ValidationError({"parameters": _(
                "{w} : « name » est obligatoire et unique.").format(w=where)})
        seen.add(name)
        if spec.get("type") not in PARAM_TYPES:
            raise ValidationError({"parameters": _(
                "{w} : « type » vaut number, boolean ou choice.").format(w=where)})
        if spec["type"] == "choice":
            choices = spec.get("choices")
            if not isinstance(choices, dict) or not choices or not all(
                _is_number(v) for v in choices.values()
            ):
                raise ValidationError({"parameters": _(
                    "{w} : « choices » associe chaque valeur à ses points.").format(w=where)})
        elif not _is_number(spec.get("weight")):
            raise ValidationError({"parameters": _(
                "{w} : « weight » (pondération) doit être un nombre.").format(w=where)})
        for bound in ("min", "max"):
            if bound in spec and spec[bound] is not None and not _is_number(spec[bound]):
                raise ValidationError({"parameters": _(
                    "{w} : « {b} » doit être un nombre.").format(w=where, b=bound)})


def _is_number(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


class ExplanationError(Exception):
    """Missing, unknown or out-of-range parameter values; `problems` lists each one."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(p["message"] for p in problems))
        self.problems = problems


def _coerce(spec: dict[str, Any], raw: Any) -> tuple[Any, float | None, str | None]:
    """(value, contribution, problem) for one parameter value."""
    kind = spec["type"]
    label = spec.get("label") or spec["name"]
    if kind == "number":
        value = raw
        if isinstance(raw, str):
            try:
                value = float(raw.replace(",", "."))
            except ValueError:
                return raw, None, _("« {p} » doit être un nombre.").format(p=label)
        if not _is_number(value):
            return raw, None, _("« {p} » doit être un nombre.").format(p=label)
        low, high = spec.get("min"), spec.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            return value, None, _("« {p} » doit être compris entre {lo} et {hi}.").format(
                p=label, lo=low if low is not None else "−∞", hi=high if high is not None else "+∞")
        return value, float(value) * float(spec["weight"]), None
    if kind == "boolean":
        if isinstance(raw, str) and raw.lower() in ("true", "1", "oui", "yes", "on"):
            raw = True
        elif isinstance(raw, str) and raw.lower() in ("false", "0", "non", "no", "off"):
            raw = False
        if not isinstance(raw, bool):
            return raw, None, _("« {p} » vaut oui ou non.").format(p=label)
        return raw, float(spec["weight"]) if raw else 0.0, None
    choices = spec["choices"]
    if str(raw) not in choices:
        return raw, None, _("« {p} » doit être l’une des valeurs : {c}.").format(
            p=label, c=", ".join(choices))
    return str(raw), float(choices[str(raw)]), None


def compute(parameters: list[dict[str, Any]], values: dict[str, Any]) -> dict[str, Any]:
    """Apply the weights to one situation; raise ExplanationError listing every bad value."""
    problems: list[dict[str, Any]] = []
    rows = []
    known = {p["name"] for p in parameters}
    for name in sorted(set(values) - known):
        problems.append({"parameter": name, "problem": "unknown",
                         "message": _("Paramètre inconnu : « {p} ».").format(p=name)})
    for spec in parameters:
        name = spec["name"]
        label = spec.get("label") or name
        if name not in values or values[name] in (None, ""):
            problems.append({"parameter": name, "problem": "missing",
                             "message": _("Valeur manquante : « {p} ».").format(p=label)})
            continue
        value, contribution, problem = _coerce(spec, values[name])
        if problem:
            kind = "out_of_range" if "compris entre" in problem else "invalid"
            problems.append({"parameter": name, "problem": kind, "message": problem})
            continue
        rows.append({
            "name": name, "label": label, "value": value, "unit": spec.get("unit", ""),
            "weight": spec.get("weight"), "points": spec.get("choices"),
            "contribution": round(contribution or 0.0, 6),
            "source": spec.get("source", ""), "description": spec.get("description", ""),
        })
    if problems:
        raise ExplanationError(problems)
    return {"parameters": rows, "score": round(sum(r["contribution"] for r in rows), 6)}


def standard_mention(algorithm: Any) -> str:
    """The mention to print on a decision taken on the basis of an algorithm (CRPA L311-3-1)."""
    return _(
        "Cette décision a été prise sur le fondement d’un traitement algorithmique dont la "
        "finalité est : {purpose}. Vous avez le droit d’obtenir la communication des règles "
        "qui définissent ce traitement et des principales caractéristiques de sa mise en œuvre, "
        "ainsi que de la manière dont il a été appliqué à votre situation, en écrivant à "
        "{organization} ({contact}). Sans réponse dans le délai d’un mois ou en cas de refus, "
        "vous pouvez saisir la Commission d’accès aux documents administratifs (CADA, "
        "www.cada.fr)."
    ).format(purpose=algorithm.purpose.rstrip(". "), organization=algorithm.organization.name,
             contact=algorithm.contact_email)


def explain(algorithm: Any, values: dict[str, Any],
            dataset_titles: list[str] | None = None) -> dict[str, Any]:
    """The explanation R311-3-1-2 requires, for this algorithm and one situation."""
    result = compute(list(algorithm.parameters), values)
    role = algorithm.get_decision_role_display()
    lines = [
        _("Rôle de l’algorithme : il {role}. {automation}").format(
            role=role, automation=algorithm.automation_level),
        _("Intervention humaine : {h}").format(h=algorithm.human_oversight),
        _("Données traitées et leurs sources : {d}").format(d=algorithm.data_sources),
    ]
    for row in result["parameters"]:
        if row["points"]:
            lines.append(_("« {l} » = {v} : {c} points selon la grille publiée.").format(
                l=row["label"], v=row["value"], c=_fmt(row["contribution"])))
        else:
            lines.append(_("« {l} » = {v} {u} × pondération {w} = {c} points.").format(
                l=row["label"], v=_fmt(row["value"]), u=row["unit"], w=_fmt(row["weight"]),
                c=_fmt(row["contribution"])).replace("  ", " "))
    lines.append(_("Total : {s} points.").format(s=_fmt(result["score"])))
    if algorithm.decision_rule:
        lines.append(_("Règle appliquée : {r}").format(r=algorithm.decision_rule))
    lines.append(_("Opérations effectuées : {o}").format(o=algorithm.operations))
    return {
        "algorithm": str(algorithm.uid), "version": algorithm.version, "name": algorithm.name,
        "organization": algorithm.organization.slug,
        "contribution": {"decision_role": algorithm.decision_role, "label": role,
                         "automation_level": algorithm.automation_level,
                         "human_oversight": algorithm.human_oversight},
        "data": {"sources": algorithm.data_sources, "datasets": dataset_titles or []},
        "parameters": result["parameters"], "score": result["score"],
        "decision_rule": algorithm.decision_rule, "operations": algorithm.operations,
        "explanation": lines, "mention": standard_mention(algorithm),
    }


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.4g}".replace(".", ",")
    return str(value)
