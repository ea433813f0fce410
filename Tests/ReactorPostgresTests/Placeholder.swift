import Testing

@Test func placeholderReactorPostgresTests() {}
