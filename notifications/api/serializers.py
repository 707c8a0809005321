"""The shapes of ``/api/v1/rundmails/``: no recipient's address ever, names only where the
reader is one of the speakers (who see the audience anyway)."""

from django.urls import reverse
from rest_framework import serializers

from contacts.models import Membership
from contacts.text import SingleLineSerializerField
from notifications.models import Rundmail

MAX_ID = 999_999_999


class RundmailAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, attachment) -> str:
        rundmail = self.context["rundmail"]
        path = reverse("rundmail:attachment", args=[rundmail.network.slug, rundmail.pk, attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class RundmailSerializer(serializers.ModelSerializer):
    network = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    institution_types = serializers.SerializerMethodField()
    institution = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Rundmail
        fields = [
            "id",
            "network",
            "subject",
            "body",
            "state",
            "state_display",
            "roles",
            "institution_types",
            "institution",
            "author",
            "send_at",
            "proposed_at",
            "review_note",
            "recipient_count",
            "attachments",
            "url",
        ]
        read_only_fields = fields

    def get_institution_types(self, rundmail) -> list[int]:
        return [kind.pk for kind in rundmail.institution_types.all()]

    def get_institution(self, rundmail) -> str | None:
        return rundmail.institution.name if rundmail.institution_id else None

    def get_author(self, rundmail) -> str | None:
        return rundmail.author.full_name if rundmail.author_id else None

    def get_attachments(self, rundmail) -> list[dict]:
        context = {**self.context, "rundmail": rundmail}
        return RundmailAttachmentSerializer(rundmail.attachments.all(), many=True, context=context).data

    def get_url(self, rundmail) -> str:
        path = reverse("rundmail:detail", args=[rundmail.network.slug, rundmail.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class RundmailCreateSerializer(serializers.Serializer):
    network = serializers.SlugField(max_length=160, help_text="Kurzname des Netzwerks")
    subject = SingleLineSerializerField(max_length=150)
    body = serializers.CharField(max_length=20000, trim_whitespace=False)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Membership.Role.choices), required=False, default=list, max_length=10
    )
    institution_types = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, default=list, max_length=100
    )
    propose = serializers.BooleanField(required=False, default=False, help_text="Als Mitglied vorschlagen")
    institution = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, help_text="Beim Vorschlag: die Einrichtung"
    )
    files = serializers.ListField(child=serializers.FileField(), required=False, write_only=True, max_length=5)


class RundmailScheduleSerializer(serializers.Serializer):
    send_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Leer: jetzt")


class RundmailRejectSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500)


class RundmailPreviewSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    to_name = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    files = serializers.ListField(child=serializers.CharField())
    attached = serializers.BooleanField()
    recipients = serializers.IntegerField()
    recipients_by_mail = serializers.IntegerField()
