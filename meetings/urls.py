"""Pages of meetings and polls, mounted at ``/termine/``."""

from django.urls import path

from meetings.views import answers

app_name = "meetings"

urlpatterns = [
    path("antwort/<str:token>/", answers.answer_by_token, name="answer_by_token"),
    path("umfrage/<str:token>/", answers.poll_vote_by_token, name="poll_vote_by_token"),
]
