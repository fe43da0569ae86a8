import HTTPTypes
import NIOCore
import Testing

@testable import MockUpstream

@Suite struct MockSHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
        (
            "The quick brown fox jumps over the lazy dog",
            "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"
        ),
    ])
    func digestMatchesFIPSVectors(input: String, expected: String) {
        #expect(MockSHA256.hex(Array(input.utf8)) == expected)
        #expect(MockSHA256.hex(ByteBuffer(string: input)) == expected)
    }

    @Test func oneMillionAsMatchesTheLongVector() {
        let input = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(MockSHA256.hex(input) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test(arguments: [1, 3, 55, 56, 63, 64, 65, 127, 1000])
    func splitUpdatesEqualOneShot(chunkSize: Int) {
        let input = (0..<3001).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var hasher = MockSHA256()
        var offset = 0
        while offset < input.count {
            let end = min(offset + chunkSize, input.count)
            hasher.update(input[offset..<end])
            offset = end
        }
        #expect(MockSHA256.hexString(hasher.finalize()) == MockSHA256.hex(input))
    }

    @Test(arguments: [55, 56, 57, 63, 64, 119, 120])
    func paddingBoundaryLengthsMatchKnownDigests(length: Int) {
        // Digests of "a" repeated `length` times, from coreutils sha256sum.
        let known: [Int: String] = [
            55: "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
            56: "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
            57: "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6",
            63: "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34",
            64: "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
            119: "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb",
            120: "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c",
        ]
        let input = [UInt8](repeating: UInt8(ascii: "a"), count: length)
        #expect(MockSHA256.hex(input) == known[length])
    }
}
