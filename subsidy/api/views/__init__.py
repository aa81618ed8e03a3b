"""API views: thin. They find the record through the caller's own querysets (so other
people's records are 404, as on the web pages), call the services, and serialize.

One module per resource; subsidy.api.urls imports the views from them directly:

- ``common``: what several resources share: the schema's ``ETAG_HEADER``, ``ERRORS``
  and ``FILE_RESPONSE``; ``attachment``, ``staff_file_opened``, ``ETagMixin``,
  ``nested_errors`` and ``raise_not_permitted``;
- ``rounds``: ``FundingRoundViewSet``;
- ``applicants``: ``ApplicantViewSet``;
- ``applications``: ``visible_applications``, ``application_or_404`` and
  ``application_detail`` (also used by documents and letters), ``ApplicationViewSet``,
  ``TransitionView``, ``ConflictDeclarationView``, ``ChecklistView``, ``TimelineView``;
- ``documents``: ``DocumentViewSet``;
- ``letters``: ``LetterViewSet``, ``LetterVerifyView``;
- ``batches``: ``BATCH_TRANSITIONS``, ``BatchViewSet``.
"""
