"""Web views of the calendar, one module per job: ``feeds`` (iCal and its pages),
``answers`` (answering and voting from a mail link)."""
