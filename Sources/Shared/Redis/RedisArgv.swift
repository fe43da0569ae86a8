/// A command's arguments packed into one buffer, ready for `redisCommandArgv`: binary-safe, since hiredis
/// is given each argument's length and never looks for a NUL.
struct RedisArgv: Sendable {
    private var bytes: [UInt8] = []
    private var lengths: [Int] = []

    init<Arguments: Sequence>(_ arguments: Arguments) where Arguments.Element: Collection<UInt8> {
        for argument in arguments {
            self.bytes.append(contentsOf: argument)
            self.lengths.append(argument.count)
        }
        // A trailing byte keeps `baseAddress` non-nil even when every argument is empty.
        self.bytes.append(0)
    }

    var count: Int { self.lengths.count }

    /// Calls `body` with `argc`, `argv` and `argvlen` valid for the call's duration only.
    func withUnsafeArgv<Result>(
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> Result
    ) -> Result {
        self.bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            var offset = 0
            var argv: [UnsafePointer<CChar>?] = []
            argv.reserveCapacity(self.lengths.count)
            for length in self.lengths {
                argv.append(base + offset)
                offset += length
            }
            return argv.withUnsafeMutableBufferPointer { argvBuffer in
                self.lengths.withUnsafeBufferPointer { lengthBuffer in
                    body(Int32(self.lengths.count), argvBuffer.baseAddress!, lengthBuffer.baseAddress!)
                }
            }
        }
    }
}
