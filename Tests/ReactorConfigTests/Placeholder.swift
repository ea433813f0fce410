import Testing

@Test func placeholderReactorConfigTests() {}
