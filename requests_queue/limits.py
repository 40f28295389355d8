"""Length limits of the free text people type into the requests queue, shared by forms and the API.

The database enforces them too: the ``TextField`` columns (``details``,
``decline_alternative``, ``delivery_note``, ``rating_comment``, comments' ``body``, events'
``message`` and assets' ``description``) carry these numbers as ``max_length`` and a length
``CheckConstraint`` (migration 0006); an event's line longer than ``DETAILS`` is cut by
``services.notifications.record``.
"""

DETAILS = 5000  # a request's details, an asset's description
NOTE = 2000  # a note to the requester, a question, an alternative offered, a delivery note
REASON = 300  # why a due date is after the needed-by date (the column is varchar(300))
ACCOUNT = 200  # a customer or prospect (the column is varchar(200))
TITLE = 200  # an asset's title (the column is varchar(200))
LINK = 500  # a link (the column is varchar(500))
