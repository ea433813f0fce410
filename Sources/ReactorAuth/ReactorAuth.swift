// Placeholder: filled in by the ReactorAuth work.
