// Placeholder: filled in by the ReactorServer work.
