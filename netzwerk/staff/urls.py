from django.urls import path

from netzwerk.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("kalender/", views.calendar, name="calendar"),
    path("zustellungen/", views.deliveries, name="deliveries"),
    path("jahresbericht/", views.report_latest, name="report_latest"),
    path("jahresbericht/<int:year>/", views.report, name="report"),
    path("jahresbericht/<int:year>/tabellen.xlsx", views.report_xlsx, name="report_xlsx"),
    path("jahresbericht/<int:year>/bericht.pdf", views.report_pdf, name="report_pdf"),
    path("jahresbericht/<int:year>/<slug:table>.csv", views.report_csv, name="report_csv"),
]
