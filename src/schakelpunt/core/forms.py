"""Form pieces shared by the apps."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from schakelpunt.accounts.models import Organisation


class InstitutionUploadForm(forms.Form):
    """A file for one of the institutions the person may load data for; no choice when one."""

    max_megabytes = 20
    institution = forms.ModelChoiceField(
        label=_("Instelling"), queryset=Organisation.objects.none()
    )
    file = forms.FileField()

    def __init__(self, *args: Any, institutions: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["institution"]
        field.queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[i.pk for i in institutions]
        )
        self.only = institutions[0] if len(institutions) == 1 else None
        if self.only:
            field.required = False
            field.widget = forms.HiddenInput()

    def clean_institution(self) -> Organisation | None:
        return self.cleaned_data.get("institution") or self.only

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.max_megabytes * 1024 * 1024:
            raise forms.ValidationError(
                _("Het bestand is groter dan %(mb)s MB.") % {"mb": self.max_megabytes}
            )
        return upload
