"""Bank files of disbursement batches: CSV, XLSX and ISO 20022 pain.001 out;
pain.002 or a simple CSV back. Writers stream rows (constant memory) and write the
same bytes for the same batch; the services in subsidy.services.batches call them."""
