import ArgumentParser

struct TokenCommand: AsyncParsableCommand { static let configuration = CommandConfiguration(commandName: "token", abstract: "Mint development tokens.") }
