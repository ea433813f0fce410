// Placeholder: filled in by the ReactorVault work.
