"""Pages of meetings and polls, mounted at ``/termine/``.

The meeting page itself (``meeting_detail``, ``<uuid>/``) is routed by ``netzwerk.urls``:
it shows what the notifications app knows (when the invitation goes out), which this app
may not import.
"""

from django.urls import path

from meetings.views import answers, guests, pages, planning, polls, printouts

app_name = "meetings"

urlpatterns = [
    path("antwort/<str:token>/", answers.answer_by_token, name="answer_by_token"),
    path("umfrage/<str:token>/", answers.poll_vote_by_token, name="poll_vote_by_token"),
    path("abmelden/<str:token>/", guests.guest_cancel, name="guest_cancel"),
    path("uebersicht/", pages.dashboard, name="dashboard"),
    path("netzwerk/<slug:slug>/kalender/", pages.network_calendar, name="network_calendar"),
    path("netzwerk/<slug:slug>/mitglieder/", pages.network_member_list, name="network_members"),
    path("netzwerk/<slug:slug>/verlauf/", pages.network_history, name="network_history"),
    path("netzwerk/<slug:slug>/mitglieder.<str:fmt>", printouts.network_member_export, name="network_members_export"),
    path("netzwerk/<slug:slug>/sitzung-planen/", planning.meeting_create, name="meeting_create"),
    path("netzwerk/<slug:slug>/serie-planen/", planning.series_create, name="series_create"),
    path("netzwerk/<slug:slug>/terminumfrage/", polls.poll_create, name="poll_create"),
    path("serie/<int:pk>/", planning.series_edit, name="series_edit"),
    path("serie/<int:pk>/absagen/", planning.series_cancel, name="series_cancel"),
    path("serie/<int:pk>/bestaetigen/", planning.series_confirm, name="series_confirm"),
    path("umfragen/<int:pk>/", polls.poll_detail, name="poll_detail"),
    path("umfragen/<int:pk>/abstimmen/", polls.poll_vote, name="poll_vote"),
    path("umfragen/<int:pk>/abschliessen/", polls.poll_close, name="poll_close"),
    path("<uuid:uid>/antworten/", pages.meeting_answer, name="meeting_answer"),
    path("<uuid:uid>/anwesenheit/", pages.meeting_presence, name="meeting_presence"),
    path("<uuid:uid>/anwesenheitsliste/", printouts.attendance_sheet, name="attendance_sheet"),
    path("<uuid:uid>/einladung/", printouts.invitation_print, name="invitation_print"),
    path("<uuid:uid>/anmelden/", guests.guest_register_view, name="guest_register"),
    path("<uuid:uid>/angemeldet/", guests.guest_registered, name="guest_registered"),
    path("<uuid:uid>/gaeste/", guests.guest_settings, name="guest_settings"),
    path("<uuid:uid>/gaesteliste/", guests.guest_list_print, name="guest_list"),
    path("<uuid:uid>/einladung.pdf", printouts.invitation_pdf, name="invitation_pdf"),
    path("<uuid:uid>/bearbeiten/", planning.meeting_edit, name="meeting_edit"),
    path("<uuid:uid>/absagen/", planning.meeting_cancel, name="meeting_cancel"),
    path("<uuid:uid>/wieder-ansetzen/", planning.meeting_restore, name="meeting_restore"),
    path("<uuid:uid>/tagesordnung/", planning.agenda_add, name="agenda_add"),
    path("<uuid:uid>/tagesordnung/<int:item_id>/", planning.agenda_edit, name="agenda_edit"),
    path("<uuid:uid>/tagesordnung/<int:item_id>/entfernen/", planning.agenda_remove, name="agenda_remove"),
    path("<uuid:uid>/tagesordnung/<int:item_id>/verschieben/", planning.agenda_move, name="agenda_move"),
    path("<uuid:uid>/tagesordnung/<int:item_id>/ergebnis/", planning.agenda_result, name="agenda_result"),
    path("<uuid:uid>/unterlagen/", planning.document_add, name="document_add"),
    path("<uuid:uid>/unterlagen/<int:document_id>/", pages.document_file, name="document_file"),
    path("<uuid:uid>/unterlagen/<int:document_id>/bearbeiten/", planning.document_edit, name="document_edit"),
    path("<uuid:uid>/unterlagen/<int:document_id>/entfernen/", planning.document_remove, name="document_remove"),
    path("<uuid:uid>/unterlagen/<int:document_id>/verschieben/", planning.document_move, name="document_move"),
    path("<uuid:uid>/protokoll/", planning.minutes_save, name="minutes_save"),
    path("<uuid:uid>/protokoll/datei/", pages.minutes_file, name="minutes_file"),
    path("<uuid:uid>/protokoll/veroeffentlichen/", planning.minutes_publish, name="minutes_publish"),
    path("<uuid:uid>/protokoll/aus-tagesordnung/", planning.minutes_from_agenda, name="minutes_from_agenda"),
    path("<uuid:uid>/protokoll/drucken/", printouts.minutes_print, name="minutes_print"),
    path("<uuid:uid>/protokoll.pdf", printouts.minutes_pdf, name="minutes_pdf"),
]
