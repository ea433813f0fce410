import ReactorCore
import Testing

/// `IPAddress`: addresses are parsed, never recognised by their first characters.
@Suite("IP addresses", .timeLimit(.minutes(1)))
struct IPAddressTests {
    @Test(arguments: ["127.0.0.1", "127.255.255.254", "127.0.0.2", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"])
    func loopbackAddresses(_ text: String) throws {
        let address = try #require(IPAddress(text), "\(text) parses")
        #expect(address.isLoopback, "\(text)")
    }

    @Test(arguments: ["10.0.0.1", "128.0.0.1", "0.0.0.0", "::", "::2", "fe80::1", "::ffff:10.0.0.1", "126.255.255.255", "2001:db8::1"])
    func otherAddresses(_ text: String) throws {
        let address = try #require(IPAddress(text), "\(text) parses")
        #expect(!address.isLoopback, "\(text)")
    }

    /// Names that only look like loopback addresses, and malformed addresses, are not addresses at all.
    @Test(arguments: ["127.evil.com", "127.0.0.1.evil.com", "127.0.0.1.", "127.1", "127.0.0.256", "127.0.0.1:80", "localhost",
                      "", " 127.0.0.1", "127.0.0.1\u{0}", "[::1", "::1]", "fe80::1%eth0", "::1::1", "1.2.3.4.5", "0x7f.0.0.1"])
    func notAddresses(_ text: String) {
        #expect(IPAddress(text) == nil, "\(text)")
    }

    @Test func bytesAndDescription() throws {
        #expect(try #require(IPAddress("127.0.0.1")).bytes == [127, 0, 0, 1])
        #expect(try #require(IPAddress("::1")).description == "0:0:0:0:0:0:0:1")
        #expect(try #require(IPAddress("10.1.2.3")).description == "10.1.2.3")
    }
}
