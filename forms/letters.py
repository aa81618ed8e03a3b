from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _


class LetterCheckForm(forms.Form):
    """Anyone holding a copy of a letter may check it against the recorded digest."""

    file = forms.FileField(label=_("Your copy of the letter (PDF)"))

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("This file is larger than any letter we issue."))
        return upload


class LetterCorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("What the correction changes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
