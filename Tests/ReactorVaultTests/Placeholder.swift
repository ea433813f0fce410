import Testing

@Test func placeholderReactorVaultTests() {}
