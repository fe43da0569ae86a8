import Testing

@testable import Coordinator

/// Enrolment exports as universities write them.
@Suite struct RosterCSVTests {
    @Test func quotedFieldsBOMsAndCRLFAreReadAndLinesCountedAcrossLineBreaks() throws {
        let text = "\u{FEFF}\"Student ID\",Name,E-mail,Tutorial,Research_Consent\r\nz9,\"Doe, \"\"JD\"\" Jane\",jd@uni.example,T1,Y\r\n"
            + "y8,\"Two\nLines\",y8@uni.example,,n\r\n\r\nx7,X,x7@uni.example,T2,\r\n"
        let students = try RosterCSV.read(text)
        #expect(students.map(\.id) == ["z9", "y8", "x7"])
        #expect(students[0].name == "Doe, \"JD\" Jane" && students[0].researchConsent && students[0].group == "T1")
        #expect(students[1].name == "Two\nLines" && students[1].group == nil && !students[1].researchConsent)
        let records = try CSVRecords.parse(text)
        #expect(records.map(\.line) == [1, 2, 3, 6], "a record's line is where it starts; the quoted line break counts")
    }

    @Test func everyBadRowIsNamedByItsLine() {
        let text = "id,name,email,group,consent\na1,A,a1@x.example,g,yes\n,B,b@x.example,g,no\na1,A again,a@x.example,g,no\nc 3,C,c@x.example,g,no\nd4,D,not-an-address,g,perhaps\n"
        #expect {
            try RosterCSV.read(text)
        } throws: { error in
            (error as? RosterCSV.Problems)?.problems.map(\.description) == [
                "line 3: no student id", "line 4: student a1 is already listed on line 2",
                "line 5: `c 3` is not a usable student id (no spaces, braces, colons or slashes)",
                "line 6: `not-an-address` is not an email address", "line 6: research consent `perhaps`: use yes or no",
            ]
        }
    }

    @Test func aMissingIdColumnOrAnOpenQuoteIsSaid() {
        #expect(throws: RosterCSV.Problems.self) { try RosterCSV.read("name,email\nA,a@x.example\n") }
        #expect { try RosterCSV.read("id,name\na1,\"never closed\n") } throws: { error in
            (error as? RosterCSV.Problems)?.problems.first?.description == "line 2: a quoted field opened here is never closed"
        }
        var columns = RosterCSV.Columns()
        columns.id = ["Matrikelnummer"]
        #expect((try? RosterCSV.read("Matrikelnummer,Name\n123,A\n", columns: columns))?.map(\.id) == ["123"])
    }
}
