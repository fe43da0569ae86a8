import Foundation
import Shared

/// An enrolment export as universities produce them, read into enrolments: columns found by name
/// (configurable, with common aliases), every problem reported with its line, nothing half-read.
struct RosterCSV {
    /// Column names to look for, compared ignoring case, spaces, `_` and `-`.
    struct Columns {
        var id = ["id", "studentid", "sid", "studentnumber", "username"]
        var name = ["name", "fullname", "studentname", "preferredname"]
        var email = ["email", "emailaddress", "mail"]
        var group = ["group", "tutorial", "tutorialgroup", "studio", "section", "class"]
        var consent = ["researchconsent", "consent", "research"]
    }

    struct Problem: CustomStringConvertible, Equatable {
        var line: Int
        var message: String
        var description: String { "line \(self.line): \(self.message)" }
    }

    /// Every problem found, in line order.
    struct Problems: Error, CustomStringConvertible {
        var problems: [Problem]
        var description: String { self.problems.map(\.description).joined(separator: "\n") }
    }

    static func read(_ text: String, columns: Columns = Columns()) throws(Problems) -> [Enrolment] {
        let records: [CSVRecords.Record]
        do {
            records = try CSVRecords.parse(text)
        } catch {
            throw Problems(problems: [Problem(line: error.line, message: error.message)])
        }
        guard let header = records.first else { throw Problems(problems: [Problem(line: 1, message: "the file is empty")]) }
        let names = header.fields.map(Self.normalised)
        func column(_ aliases: [String]) -> Int? { aliases.lazy.compactMap { names.firstIndex(of: Self.normalised($0)) }.first }
        guard let idColumn = column(columns.id) else {
            throw Problems(problems: [Problem(line: header.line, message: "no student id column (looked for \(columns.id.joined(separator: ", ")); name it with --id-column")])
        }
        let (nameColumn, emailColumn, groupColumn, consentColumn) = (column(columns.name), column(columns.email), column(columns.group), column(columns.consent))
        var problems: [Problem] = []
        var enrolments: [Enrolment] = []
        var firstLine: [String: Int] = [:]
        for record in records.dropFirst() {
            let value = { (index: Int?) -> String in
                guard let index, index < record.fields.count else { return "" }
                return record.fields[index].trimmingCharacters(in: .whitespaces)
            }
            let id = value(idColumn)
            guard !id.isEmpty else {
                problems.append(Problem(line: record.line, message: "no student id"))
                continue
            }
            guard StudentRef.isValidID(id) else {
                problems.append(Problem(line: record.line, message: "`\(id)` is not a usable student id (no spaces, braces, colons or slashes)"))
                continue
            }
            if let earlier = firstLine[id] {
                problems.append(Problem(line: record.line, message: "student \(id) is already listed on line \(earlier)"))
                continue
            }
            firstLine[id] = record.line
            let email = value(emailColumn)
            if !email.isEmpty && !email.contains("@") { problems.append(Problem(line: record.line, message: "`\(email)` is not an email address")) }
            guard let consent = Self.consent(value(consentColumn)) else {
                problems.append(Problem(line: record.line, message: "research consent `\(value(consentColumn))`: use yes or no"))
                continue
            }
            let group = value(groupColumn)
            enrolments.append(Enrolment(id: id, name: value(nameColumn), email: email, group: group.isEmpty ? nil : group, researchConsent: consent))
        }
        guard problems.isEmpty else { throw Problems(problems: problems) }
        return enrolments
    }

    static func normalised(_ name: String) -> String {
        String(name.lowercased().unicodeScalars.filter { !" _-\t".unicodeScalars.contains($0) })
    }

    static func consent(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "", "no", "n", "false", "0", "declined": false
        case "yes", "y", "true", "1", "consented", "agreed": true
        default: nil
        }
    }
}
