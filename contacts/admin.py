from django.contrib import admin

from contacts import models

admin.site.register(models.Area)
