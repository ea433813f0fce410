// Placeholder: filled in by the ReactorConfig work.
