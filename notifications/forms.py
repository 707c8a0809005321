from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notifications.models import Preference


class PreferenceForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=_("Sprache der Mails"),
        choices=[("", _("wie im Personeneintrag")), *settings.LANGUAGES],
        required=False,
    )

    class Meta:
        model = Preference
        fields = [*Preference.TOGGLES, "digest_instead", "language"]
