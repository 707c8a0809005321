"""The API token of the logged-in account: issue (or rotate) and revoke.

A script or another system authenticates with ``Authorization: Token <key>``. The key is
shown once, when it is issued; issuing again replaces it (rotate after a leak). Staff can
also issue and delete tokens in the administration ("Token").
"""

from django.db import transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

TokenSerializer = inline_serializer(
    name="ApiToken",
    fields={
        "token": serializers.CharField(help_text="Der Schlüssel; nur jetzt sichtbar."),
        "created": serializers.DateTimeField(),
    },
)


class TokenView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="API-Token ausstellen oder erneuern",
        description="Stellt für den angemeldeten Zugang einen neuen Token aus; ein bisheriger wird ungültig.",
        request=None,
        responses={201: TokenSerializer},
        tags=["Zugang"],
    )
    def post(self, request):
        with transaction.atomic():
            Token.objects.filter(user=request.user).delete()
            token = Token.objects.create(user=request.user)
        return Response({"token": token.key, "created": token.created}, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="API-Token widerrufen",
        request=None,
        responses={204: None},
        tags=["Zugang"],
    )
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
