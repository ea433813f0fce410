import Testing

@Test func placeholderReactorAuthTests() {}
