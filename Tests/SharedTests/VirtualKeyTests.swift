import Foundation
import Shared
import Testing

@Suite struct VirtualKeyTests {
    /// Computed independently (Python `zlib.crc32` and a 0-9A-Za-z base62), so the format is pinned down for
    /// any other implementation, such as a scanner rule.
    static let golden = "goosey_ABCDEFGHIJKLMNOPQRSTUVWXYZabcd399z0L"

    @Test(arguments: [
        golden,
        "goosey_0000000000000000000000000000002GOA45",
        "goosey_zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz4Dw44g",
    ])
    func independentlyComputedKeysParse(text: String) throws {
        let key = try #require(VirtualKey(parsing: text))
        #expect(key.secretText == text)
        #expect(VirtualKey.isWellFormed(text))
    }

    @Test func generatedKeysRoundTripThroughParsing() throws {
        var generator = SeededGenerator(seed: 1)
        let pattern = try Regex("goosey_[0-9A-Za-z]{36}")
        for _ in 0..<500 {
            let key = VirtualKey.generate(using: &generator)
            #expect(key.secretText.utf8.count == VirtualKey.textLength)
            #expect(key.secretText.wholeMatch(of: pattern) != nil)
            #expect(VirtualKey(parsing: key.secretText) == key)
        }
    }

    @Test func systemGeneratedKeysAreWellFormedAndDistinct() {
        let keys = (0..<200).map { _ in VirtualKey.generate() }
        #expect(keys.allSatisfy { VirtualKey.isWellFormed($0.secretText) })
        #expect(Set(keys).count == keys.count)
    }

    @Test func bodyCharactersAreSpreadEvenlyOverTheAlphabet() {
        var generator = SeededGenerator(seed: 7)
        var counts: [Character: Int] = [:]
        for _ in 0..<2000 {
            let text = VirtualKey.generate(using: &generator).secretText
            for character in text.dropFirst(7).prefix(30) { counts[character, default: 0] += 1 }
        }
        // 60,000 draws over 62 characters: 968 each on average; a bias (say modulo) would show far outside this.
        #expect(counts.count == 62)
        #expect(counts.values.allSatisfy { (820...1120).contains($0) })
    }

    @Test(arguments: 7..<43)
    func checksumCatchesAnySingleCharacterChange(position: Int) {
        var bytes = Array(Self.golden.utf8)
        let original = bytes[position]
        for replacement in "0Az9aZq".utf8 where replacement != original {
            bytes[position] = replacement
            #expect(VirtualKey(parsing: String(decoding: bytes, as: UTF8.self)) == nil)
        }
    }

    @Test func swappingTwoNeighbouringCharactersIsCaught() {
        var bytes = Array(Self.golden.utf8)
        bytes.swapAt(10, 11)
        #expect(VirtualKey(parsing: String(decoding: bytes, as: UTF8.self)) == nil)
    }

    @Test(arguments: [
        ("", "empty"),
        (String(golden.dropLast()), "one short"),
        (golden + "0", "one long"),
        ("Goosey_" + golden.dropFirst(7), "prefix in another case"),
        ("ghp_" + golden.dropFirst(7), "another prefix"),
        ("goosey-" + golden.dropFirst(7), "hyphen for underscore"),
        (" " + golden, "leading space"),
        (golden + "\n", "trailing newline"),
        ("goosey_ABCDEFGHIJKLMNOPQRSTUVWXYZab-d399z0L", "a character outside base62"),
        ("goosey_ABCDEFGHIJKLMNOPQRSTUVWXYZab_d399z0L", "an underscore in the body"),
        ("goosey_ABCDEFGHIJKLMNOPQRSTUVWXYZabé399z0L", "non-ASCII, same character count"),
        ("goosey_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdzzzzzz", "a checksum above 2^32"),
        ("sk-ant-api03-" + String(repeating: "A", count: 93) + "AA", "an Anthropic key"),
    ])
    func malformedTextIsNotAKey(text: String, why: String) {
        #expect(VirtualKey(parsing: text) == nil, "\(why)")
        #expect(!VirtualKey.isWellFormed(text), "\(why)")
    }

    @Test func theScannerCheckAgreesOnRawBytes() {
        var generator = SeededGenerator(seed: 3)
        let key = VirtualKey.generate(using: &generator)
        let document = Array("token=\(key.secretText);".utf8)
        document.withUnsafeBytes { bytes in
            #expect(VirtualKey.isWellFormed(UnsafeRawBufferPointer(rebasing: bytes[6..<49])))
            #expect(!VirtualKey.isWellFormed(UnsafeRawBufferPointer(rebasing: bytes[5..<48])))
            #expect(!VirtualKey.isWellFormed(UnsafeRawBufferPointer(rebasing: bytes[6..<50])))
        }
    }

    @Test func noTextRenderingShowsTheSecret() throws {
        let key = try #require(VirtualKey(parsing: Self.golden))
        let body = String(Self.golden.dropFirst(7))
        var dumped = ""
        dump(key, to: &dumped)
        let renderings = [
            "\(key)", String(describing: key), String(reflecting: key), dumped, "\([key])", "\(Optional(key) as Any)",
        ]
        for rendering in renderings {
            #expect(!rendering.contains(body), "\(rendering)")
            #expect(!rendering.contains(String(body.prefix(8))), "\(rendering)")
        }
        #expect(key.description == "goosey_…6362537daba6")
    }

    @Test func theStoredHashIsSHA256OfTheWholeKeyAndTheIDItsFirstTwelveHexDigits() throws {
        let key = try #require(VirtualKey(parsing: Self.golden))
        #expect(key.sha256Hex == "6362537daba61bde920d82719cce2998476e7e5da33c4402aae7e8ff1a3f8207")
        #expect(key.keyID == "6362537daba6")
        #expect(VirtualKey.sha256Hex(of: Self.golden) == key.sha256Hex)
        #expect(VirtualKey.keyID(sha256Hex: key.sha256Hex) == key.keyID)
    }

    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ])
    func sha256HexMatchesTheStandardVectors(text: String, hex: String) {
        #expect(VirtualKey.sha256Hex(of: text) == hex)
    }
}

@Suite struct CRC32Tests {
    @Test(arguments: [
        ("123456789", UInt32(0xCBF4_3926)),
        ("", 0),
        ("a", 0xE8B7_BE43),
        ("The quick brown fox jumps over the lazy dog", 0x414F_A339),
        ("goosey_ABCDEFGHIJKLMNOPQRSTUVWXYZabcd", 0xABE2_C2F1),
    ])
    func checksumsMatchTheIEEEVectors(text: String, crc: UInt32) {
        #expect(CRC32.checksum(text.utf8) == crc)
        #expect(Array(text.utf8).withUnsafeBytes { CRC32.checksum($0) } == crc)
    }
}

@Suite struct Base62Tests {
    @Test(arguments: [
        (UInt64(0), 6, "000000"),
        (61, 1, "z"),
        (62, 1, "10"),
        (3843, 1, "zz"),
        (UInt64(UInt32.max), 6, "4gfFC3"),
        (10, 0, "A"),
        (36, 0, "a"),
    ])
    func encodesWithDigitsThenUpperThenLowerCase(value: UInt64, width: Int, text: String) {
        #expect(Base62.encode(value, width: width) == text)
        #expect(Array(text.utf8).withUnsafeBytes { Base62.decode($0) } == value)
    }

    @Test func decodingRefusesNonDigitsAndOverflow() {
        #expect(Array("12-4".utf8).withUnsafeBytes { Base62.decode($0) } == nil)
        #expect(Array(String(repeating: "z", count: 11).utf8).withUnsafeBytes { Base62.decode($0) } == nil)
    }
}
