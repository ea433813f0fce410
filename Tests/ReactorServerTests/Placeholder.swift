import Testing

@Test func placeholderReactorServerTests() {}
