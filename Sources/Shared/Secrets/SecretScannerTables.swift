/// The scanner's lookup tables, built once per rule set and read without reference counting on the hot path.
/// `@unchecked`: the buffers are written only in `init` and freed only in `deinit`.
final class SecretScannerTables: @unchecked Sendable {
    /// Something to try where a byte pair is seen: a rule (or the hiding-escape check) whose text holds the
    /// pair `offset` bytes after its start, with the text's first eight bytes for a one-load rejection.
    struct Candidate: Sendable {
        /// An index into the compiled rules, or ``escape``.
        var rule: Int
        var offset: Int
        /// The literal's bytes 0..<8 and 8..<16, as loaded little-endian, and which of their bytes count.
        var prefixWords: (UInt64, UInt64)
        var prefixMasks: (UInt64, UInt64)
        /// Bytes the shortest match takes.
        var minimumLength: Int
        static let escape = -1

        init(rule: Int, offset: Int, literal: [UInt8], minimumLength: Int) {
            self.rule = rule
            self.offset = offset
            self.minimumLength = minimumLength
            var words: [UInt64] = [0, 0]
            var masks: [UInt64] = [0, 0]
            for (position, byte) in literal.prefix(16).enumerated() {
                words[position / 8] |= UInt64(byte) << (8 * UInt64(position % 8))
                masks[position / 8] |= 0xFF << (8 * UInt64(position % 8))
            }
            (self.prefixWords, self.prefixMasks) = ((words[0], words[1]), (masks[0], masks[1]))
        }
    }

    /// Whether `bytes` at `start` hold the candidate's first 16 bytes; the caller checks 16 bytes are there.
    @inline(__always)
    static func prefixMatches(_ candidate: Candidate, in bytes: UnsafeRawBufferPointer, at start: Int) -> Bool {
        let first = bytes.loadUnaligned(fromByteOffset: start, as: UInt64.self).littleEndian
        guard first & candidate.prefixMasks.0 == candidate.prefixWords.0 else { return false }
        let second = bytes.loadUnaligned(fromByteOffset: start + 8, as: UInt64.self).littleEndian
        return second & candidate.prefixMasks.1 == candidate.prefixWords.1
    }

    /// Bit `pair` (first byte low) is set when some candidate holds that pair.
    let pairs: UnsafeMutableBufferPointer<UInt64>
    /// Per byte pair, where its candidates are in ``candidateList`` (start and count), longest prefix first.
    private let slices: UnsafeMutableBufferPointer<(start: UInt32, count: UInt32)>
    private let candidateList: UnsafeMutableBufferPointer<Candidate>

    init(_ rules: [CompiledSecretRule]) {
        var byPair: [UInt16: [Candidate]] = [:]
        func add(_ literal: [UInt8], at offset: Int, _ candidate: Candidate) {
            byPair[UInt16(literal[offset]) | UInt16(literal[offset + 1]) << 8, default: []].append(candidate)
        }
        for (index, rule) in rules.enumerated() {
            precondition(rule.prefix.count >= 3, "a secret rule's prefix needs three bytes")
            let length = rule.prefix.count + rule.rule.minLength
            for offset in 0...1 { add(rule.prefix, at: offset, Candidate(rule: index, offset: offset, literal: rule.prefix, minimumLength: length)) }
        }
        // A hidden character is ASCII, so its escape is `\u00XX`: pairs `\u` and `u0`. `\/` has the pair `\/`
        // at offset 0, and at offset 1 the pair of `/` and whatever follows.
        let unicode = Array(#"\u00"#.utf8)
        let slash = Array(#"\/"#.utf8)
        for offset in 0...1 { add(unicode, at: offset, Candidate(rule: Candidate.escape, offset: offset, literal: unicode, minimumLength: 6)) }
        add(slash, at: 0, Candidate(rule: Candidate.escape, offset: 0, literal: slash, minimumLength: 2))
        for next in UInt8.min...UInt8.max {
            add([UInt8(ascii: "/"), next], at: 0, Candidate(rule: Candidate.escape, offset: 1, literal: slash, minimumLength: 2))
        }

        self.pairs = .allocate(capacity: 1024)
        self.pairs.initialize(repeating: 0)
        self.slices = .allocate(capacity: 65536)
        self.slices.initialize(repeating: (0, 0))
        var list: [Candidate] = []
        for (pair, candidates) in byPair {
            let ordered = candidates.sorted { $0.minimumLength > $1.minimumLength }
            self.slices[Int(pair)] = (UInt32(list.count), UInt32(ordered.count))
            list += ordered
            self.pairs[Int(pair >> 6)] |= 1 << UInt64(pair & 63)
        }
        self.candidateList = .allocate(capacity: list.count)
        _ = self.candidateList.initialize(from: list)
    }

    deinit {
        self.pairs.deallocate()
        self.slices.deallocate()
        self.candidateList.deallocate()
    }

    func candidates(for pair: UInt16) -> Slice<UnsafeMutableBufferPointer<Candidate>> {
        let slice = self.slices[Int(pair)]
        return self.candidateList[Int(slice.start)..<Int(slice.start + slice.count)]
    }
}
