"""PDF documents (ReportLab), made from the services' frozen dataclasses.

- :mod:`~desktop.documents.contract_pdf`: the contract, with its annexes and signatures;
- :mod:`~desktop.documents.termination_pdf`: an early-termination simulation;
- :mod:`~desktop.documents.access_sheet`: the administrator's access codes;
- :mod:`~desktop.documents.dns_sheet`: the DNS records to set on a domain.

They share :mod:`~desktop.documents.layout` (page frame, page numbers),
:mod:`~desktop.documents.tables`, :mod:`~desktop.documents.styles`, the
embedded fonts (:mod:`~desktop.documents.fonts`) and French formatting
(:mod:`~desktop.documents.french`). Nothing here imports Qt.
"""
