import Shared
import Synchronization

/// One scanner per distinct set of course rules: most courses add none and share the standard scanner.
final class ScannerCache: Sendable {
    private let scanners = Mutex<[[SecretRule]: SecretScanner]>([:])

    func scanner(for policy: LeakPolicy?) -> SecretScanner {
        guard let rules = policy?.rules, !rules.isEmpty else { return .standard }
        return self.scanners.withLock { scanners in
            if let scanner = scanners[rules] { return scanner }
            if scanners.count >= 256 { scanners.removeAll() }
            let scanner = SecretScanner(rules: SecretRule.standard + rules)
            scanners[rules] = scanner
            return scanner
        }
    }
}
