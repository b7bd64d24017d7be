#include "inspector/readme.hpp"
#include "util/text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace supportdrop::inspector {
namespace {

std::vector<std::uint8_t> utf16le_with_bom(std::u16string_view text) {
    std::vector<std::uint8_t> out = {0xFF, 0xFE};
    for (const char16_t c : text) {
        out.push_back(static_cast<std::uint8_t>(c & 0xFF));
        out.push_back(static_cast<std::uint8_t>(c >> 8));
    }
    return out;
}

TEST(DecodeText, Utf8WithAndWithoutBom) {
    const auto plain = decode_text(util::bytes_of("Grüße aus München"));
    EXPECT_EQ(plain.encoding, TextEncoding::utf8);
    EXPECT_EQ(plain.utf8, "Grüße aus München");
    const auto bom = decode_text(util::bytes_of("\xEF\xBB\xBFHallo"));
    EXPECT_EQ(bom.encoding, TextEncoding::utf8_bom);
    EXPECT_EQ(bom.utf8, "Hallo");
}

TEST(DecodeText, Utf16WithBom) {
    const auto little = decode_text(utf16le_with_bom(u"Müller 😀"));
    EXPECT_EQ(little.encoding, TextEncoding::utf16le);
    EXPECT_EQ(little.utf8, "Müller 😀");
    const std::vector<std::uint8_t> big = {0xFE, 0xFF, 0x00, 'O', 0x00, 0xDF};
    const auto decoded = decode_text(big);
    EXPECT_EQ(decoded.encoding, TextEncoding::utf16be);
    EXPECT_EQ(decoded.utf8, "Oß");
    // A lone surrogate and an odd trailing byte become U+FFFD.
    const std::vector<std::uint8_t> broken = {0xFF, 0xFE, 0x00, 0xD8, 'a', 0x00, 'b'};
    EXPECT_EQ(decode_text(broken).utf8, "\xEF\xBF\xBD"
                                        "a\xEF\xBF\xBD");
}

TEST(DecodeText, DropsByteOrderMarksInsideTheText) {
    // Found by fuzz_readme: a second BOM made the result decode differently a second time.
    const auto decoded = decode_text(utf16le_with_bom(u"\uFEFFText"));
    EXPECT_EQ(decoded.utf8, "Text");
    EXPECT_EQ(decode_text(util::bytes_of("\xEF\xBB\xBF\xEF\xBB\xBFText")).utf8, "Text");
}

TEST(DecodeText, Windows1252KeepsUmlautsAndEuro) {
    // "Müller, 5 € für Straße" as Notepad's ANSI on German Windows writes it.
    const auto decoded = decode_text(util::bytes_of("M\xFCller, 5 \x80 f\xFCr Stra\xDF"
                                                    "e"));
    EXPECT_EQ(decoded.encoding, TextEncoding::windows1252);
    EXPECT_EQ(decoded.utf8, "Müller, 5 € für Straße");
}

TEST(DecodeText, RejectsOverlongUtf8AsUtf8) {
    // An overlong "/" is not UTF-8: read as Windows-1252 instead, never as "/".
    const auto decoded = decode_text(util::bytes_of("\xC0\xAF"));
    EXPECT_EQ(decoded.encoding, TextEncoding::windows1252);
    EXPECT_EQ(decoded.utf8.find('/'), std::string::npos);
}

TEST(ReadmeName, AnyCaseTheGermanNameAndWindowsDoubleExtension) {
    for (const char* name :
         {"Readme.txt", "README.TXT", "readme.md", "LiesMich.txt", "readme", "Readme.txt.txt", "liesmich.TXT.txt"}) {
        EXPECT_TRUE(is_readme_name(name)) << name;
    }
    for (const char* name : {"readme.txt.exe", "my-readme.txt", "read me.txt", ""}) {
        EXPECT_FALSE(is_readme_name(name)) << name;
    }
}

TEST(ExamineReadme, FindsLabelledContactDataInGermanAndEnglish) {
    const auto german = examine_readme("Name: Erika Mustermann\r\nFirma: Beispiel GmbH\r\n"
                                       "E-Mail: erika@beispiel.de\r\nTelefon: +49 (0)89 / 123 456-7\r\n"
                                       "Kundennummer: K-4711\r\nTicket: T-2026-0815\r\n\r\n"
                                       "Seit dem Update startet der Export nicht mehr, siehe Protokolle.\r\n");
    EXPECT_TRUE(german.has_contact);
    EXPECT_TRUE(german.has_concern);
    EXPECT_EQ(german.contact.name, "Erika Mustermann");
    EXPECT_EQ(german.contact.company, "Beispiel GmbH");
    EXPECT_EQ(german.contact.email, "erika@beispiel.de");
    EXPECT_EQ(german.contact.phone, "+49 (0)89 / 123 456-7");
    EXPECT_EQ(german.contact.customer_number, "K-4711");
    EXPECT_EQ(german.contact.ticket_number, "T-2026-0815");

    const auto english = examine_readme("Company : Example Ltd\nContact person: John Smith\nPhone: 020 7946 0958\n"
                                        "Customer number: 12345\n\nThe nightly sync fails with error 0x80070005.\n");
    EXPECT_EQ(english.contact.company, "Example Ltd");
    EXPECT_EQ(english.contact.name, "John Smith");
    EXPECT_EQ(english.contact.phone, "020 7946 0958");
    EXPECT_EQ(english.contact.customer_number, "12345");
    EXPECT_TRUE(english.has_contact);
    EXPECT_TRUE(english.has_concern);
}

TEST(ExamineReadme, FindsUnlabelledAddressesButNotErrorCodes) {
    const auto mail = examine_readme("Please call back or write to jane.doe+support@example.co.uk, thanks.\n"
                                     "Error 0x80070005 after version 12.4.1 on 26.11.2026, ticket 1234567.");
    EXPECT_EQ(mail.contact.email, "jane.doe+support@example.co.uk");
    EXPECT_EQ(mail.contact.phone, "");
    EXPECT_TRUE(mail.has_contact);
    const auto phone = examine_readme("Bitte rufen Sie mich an: 0711/123456 (vormittags).");
    EXPECT_EQ(phone.contact.phone, "0711/123456");
}

TEST(ExamineReadme, ReportsMissingContactAndMissingConcern) {
    const auto no_contact = examine_readme("Das Programm stürzt beim Speichern ab. Bitte helfen Sie uns.");
    EXPECT_FALSE(no_contact.has_contact);
    EXPECT_TRUE(no_contact.has_concern);
    const auto no_concern = examine_readme("Name: Max\nE-Mail: max@example.org\n");
    EXPECT_TRUE(no_concern.has_contact);
    EXPECT_FALSE(no_concern.has_concern);
    EXPECT_EQ(no_concern.concern_letters, 0u);
    const auto invalid = examine_readme("E-Mail: not-an-address\nText about the problem that is long enough.");
    EXPECT_FALSE(invalid.has_contact);
}

TEST(ExamineReadme, BoundsLabelledValues) {
    const auto findings = examine_readme("Name: " + std::string(10000, 'x') + "\n");
    EXPECT_EQ(findings.contact.name.size(), 200u);
}

} // namespace
} // namespace supportdrop::inspector
