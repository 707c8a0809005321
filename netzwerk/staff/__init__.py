"""Sozialplanung's city-wide pages: the overview of all networks, the calendar of all
meetings with their conflict hints, the delivery-log dashboard and the yearly report.

Each page joins the directory, the calendar and the mail, so it is assembled here from
reads of each app; the reads are selectors in this package (``overview``, ``calendar``,
``deliveries``, ``report``), each with a fixed number of queries however many networks.
"""
