extension StringProtocol {
    /// Without leading and trailing spaces and tabs: the optional white space around HTTP header values and
    /// list elements (RFC 9110 §5.6.3).
    public func trimmingSpaces() -> SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = self.firstIndex(where: { !isSpace($0) }) else { return self[self.endIndex...] }
        let last = self.lastIndex(where: { !isSpace($0) })!
        return self[first...last]
    }
}
