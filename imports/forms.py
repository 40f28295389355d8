"""The upload form and the column-mapping form; their choices come from ``permissions`` and ``kinds``."""

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied

from pmm_portal.core.models import Team, User

from . import permissions
from .kinds import KINDS
from .models import ImportBatch, ImportKind
from .services import EXTENSIONS, MAX_IMPORT_BYTES, MAX_ROWS


class UploadForm(forms.Form):
    """Step 1: what to import, into which team, from which file."""

    kind = forms.ChoiceField(label="What the file holds")
    team = forms.ChoiceField(
        label="Team", required=False, help_text="The team the rows belong to (not asked for users)."
    )
    file = forms.FileField(
        label="CSV or Excel file",
        help_text=(
            f"The first row names the columns. At most {MAX_IMPORT_BYTES // 1024 // 1024} MB and "
            f"{MAX_ROWS} rows; CSV saved as UTF-8, or .xlsx (the first sheet is read)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{e}" for e in EXTENSIONS)}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        kinds = permissions.importable_kinds(user)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [(kind, ImportKind(kind).label) for kind in kinds]
        teams: dict[str, str] = {}
        for kind in kinds:
            for team in permissions.teams_for_import(user, kind):
                teams[team.slug] = team.name
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ChoiceField)
        team_field.choices = [("", "—"), *sorted(teams.items(), key=lambda item: item[1])]
        self.target: Team | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind:
            try:
                self.target = permissions.access_import_target(
                    user=self.user, kind=kind, team=data.get("team")
                )
            except PermissionDenied:
                label = ImportKind(kind).label.lower()
                self.add_error("team", f"Pick a team you may import {label} into.")
        return data


class MappingForm(forms.Form):
    """Step 2: which column of the file holds each field (pre-filled by name)."""

    def __init__(self, *args: Any, batch: ImportBatch, **kwargs: Any) -> None:
        kwargs.setdefault("initial", batch.mapping)
        super().__init__(*args, **kwargs)
        choices = [("", "— not in the file —"), *((header, header) for header in batch.headers)]
        for import_field in KINDS[batch.kind].fields:
            self.fields[import_field.name] = forms.ChoiceField(
                label=import_field.label,
                choices=choices,
                required=import_field.required,
                help_text=import_field.help,
            )
