"""Web views of the calendar, one module per job: ``feeds`` (iCal and its pages),
``answers`` (answering and voting from a mail link), ``pages`` (meeting page, calendar,
member list, overview), ``planning`` (meetings, series, agenda, minutes), ``polls``
(date polls), ``access`` (the permission checks they share)."""
