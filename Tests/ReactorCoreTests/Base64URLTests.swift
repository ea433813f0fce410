import Foundation
import ReactorCore
import Testing

@Suite(.timeLimit(.minutes(3))) struct Base64URLTests {
    /// Foundation's base64 of `bytes`, in the base64url alphabet, padded as Foundation pads.
    private func foundation(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    @Test(arguments: 0..<40)
    func encodesLikeFoundationAndDecodesBack(_ length: Int) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 251) }
        let padded = foundation(bytes)
        let unpadded = padded.replacingOccurrences(of: "=", with: "")
        #expect(Base64URL.encode(bytes) == unpadded)
        #expect(Base64URL.encode(Data(bytes)) == unpadded)
        #expect(Base64URL.decode(unpadded) == bytes)
        #expect(Base64URL.decode(padded) == bytes, "padding is optional")
        #expect(Base64URL.decode(Array(unpadded.utf8)[...]) == bytes)
        #expect(Base64URL.decode(unpadded, padding: .forbidden) == bytes)
        if padded != unpadded {
            #expect(Base64URL.decode(padded, padding: .forbidden) == nil, "\(padded)")
        }
    }

    @Test func everyByteValueRoundTrips() {
        let bytes = (0...255).map { UInt8($0) }
        #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        #expect(Base64URL.decode("") == [])
    }

    @Test(arguments: [
        "A", "AAAAA",  // a lone final symbol: no encoding ends with 6 bits
        "QR", "QUG", "QUFBQR",  // unused trailing bits set (the canonical spellings end QQ, QUE, QUFBQQ)
        "QQ+/", "ab/c", "a b", "QQ\n", "é", "\u{0}", "QQ.", "QQ%3D",  // outside the alphabet (+ and / are base64's)
        "QQ=", "QQ===", "QUE==", "QUFB=", "=", "====", "Q=Q=", "QQ==QQ==",  // padding incomplete, extra or inside
    ])
    func refusesWhatIsNotBase64URL(_ text: String) {
        #expect(Base64URL.decode(text) == nil, "\(text.debugDescription)")
        #expect(Base64URL.decode(Array(text.utf8)) == nil, "\(text.debugDescription)")
    }
}
