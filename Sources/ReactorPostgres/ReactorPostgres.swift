// Placeholder: filled in by the ReactorPostgres work.
