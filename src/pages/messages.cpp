#include "pages/messages.hpp"

#include <algorithm>
#include <array>

namespace supportdrop::pages {
namespace {

struct Message {
    std::string_view key;
    std::string_view de;
    std::string_view en;
};

constexpr std::array k_messages = std::to_array<Message>({
    // Frame
    {"page.language_label", "Sprache", "Language"},
    {"page.other_language_name", "English", "Deutsch"},
    {"page.privacy_link", "Datenschutz", "Privacy"},
    {"page.demo_notice",
     "Demo-Betrieb: Uploads werden für einen Demo-Schlüssel verschlüsselt, der auf diesem Server liegt. Laden Sie "
     "hier keine echten Daten hoch.",
     "Demo mode: uploads are encrypted to a demo key that is kept on this server. Do not upload real data here."},
    {"page.back", "Zurück zur Upload-Seite", "Back to the upload page"},

    // Upload page
    {"upload.title", "Dateien für Ihren Supportfall senden", "Send files for your support case"},
    {"upload.heading", "Dateien für Ihren Supportfall senden", "Send files for your support case"},
    {"upload.intro",
     "Hier übermitteln Sie unserem Support die Dateien, die wir zur Bearbeitung Ihres Anliegens brauchen: "
     "Protokolle, Datenbanken, Konfiguration oder Beispieldokumente.",
     "Here you send our support team the files we need to work on your case: logs, databases, "
     "configuration or sample documents."},
    {"upload.what_heading", "Was Sie senden", "What to send"},
    {"upload.what_archive",
     "Genau ein Archiv: ZIP, TAR, RAR oder ein mit gzip gepacktes TAR (.tar.gz), höchstens {max_mb} MB.",
     "Exactly one archive: ZIP, TAR, RAR or a gzip-compressed TAR (.tar.gz), at most {max_mb} MB."},
    {"upload.what_readme",
     "Im Archiv eine Datei Readme.txt mit Ihrem Anliegen und Ihren Kontaktdaten (Name, Firma, E-Mail-Adresse "
     "oder Telefonnummer, Kunden- oder Ticketnummer).",
     "Inside the archive, a file Readme.txt with your concern and your contact data (name, company, e-mail "
     "address or phone number, customer or ticket number)."},
    {"upload.what_password",
     "Sie dürfen das Archiv mit einem Passwort schützen. Senden Sie das Passwort dann getrennt über unser "
     "Kontaktformular und nennen Sie dabei die Vorgangsnummer, die Sie nach dem Hochladen erhalten.",
     "You may protect the archive with a password. Then send the password separately through our contact "
     "form, quoting the reference you receive after the upload."},
    {"upload.form_heading", "Archiv hochladen", "Upload the archive"},
    {"upload.file_label", "Archivdatei", "Archive file"},
    {"upload.submit", "Hochladen", "Upload"},
    {"upload.after_submit",
     "Nach dem Hochladen erhalten Sie eine Vorgangsnummer und eine Prüfsumme als Empfangsbestätigung.",
     "After the upload you receive a reference and a checksum as your receipt."},
    {"upload.data_heading", "Was mit Ihren Daten geschieht", "What happens to your data"},
    {"upload.data_sealed",
     "Ihr Archiv wird schon beim Empfang für unser Support-Team verschlüsselt; dieser Server kann es danach "
     "nicht mehr lesen.",
     "Your archive is encrypted for our support team as it arrives; this server cannot read it afterwards."},
    {"upload.data_sealed_demo",
     "Ihr Archiv wird schon beim Empfang verschlüsselt, im Demo-Betrieb aber mit einem Schlüssel, der auf diesem "
     "Server liegt.",
     "Your archive is encrypted as it arrives, but in demo mode to a key that is kept on this server."},
    {"upload.data_text",
     "Das Team wird benachrichtigt und holt es auf einen abgeschotteten Testrechner. "
     "Nach Abschluss des Falls werden die Daten gelöscht, nicht abgeholte Uploads spätestens nach {days} Tagen.",
     "The team is notified and fetches it onto an isolated test machine. When the case is closed the data is "
     "deleted; uploads that are not collected are deleted after {days} days at the latest."},
    {"upload.privacy_more", "Mehr dazu in der Datenschutzerklärung", "More in the privacy notice"},

    // Receipt
    {"receipt.title", "Empfangsbestätigung", "Receipt"},
    {"receipt.heading", "Empfangsbestätigung", "Receipt"},
    {"receipt.intro", "Ihr Archiv ist sicher angekommen und verschlüsselt gespeichert.",
     "Your archive has arrived safely and is stored encrypted."},
    {"receipt.reference_label", "Vorgangsnummer", "Reference"},
    {"receipt.type_label", "Erkannter Typ", "Detected type"},
    {"receipt.size_label", "Größe", "Size"},
    {"receipt.sha256_label", "SHA-256", "SHA-256"},
    {"receipt.time_label", "Empfangen", "Received"},
    {"receipt.size_value", "{bytes} Bytes", "{bytes} bytes"},
    {"receipt.next",
     "Unser Support-Team wurde benachrichtigt. Bitte nennen Sie die Vorgangsnummer, wenn Sie uns kontaktieren "
     "oder ein Archiv-Passwort über das Kontaktformular senden.",
     "Our support team has been notified. Please quote the reference when you contact us or send an archive "
     "password through the contact form."},
    {"receipt.url_label", "Diese Bestätigung bleibt abrufbar unter:", "This receipt stays available at:"},

    // What the inspection found (the receipt) and the verdict's reasons, each with what to do
    {"receipt.findings_heading", "Was wir in Ihrem Archiv gefunden haben", "What we found in your archive"},
    {"receipt.entries", "Einträge: {count}", "Entries: {count}"},
    {"receipt.readme_found", "Readme.txt: gefunden", "Readme.txt: found"},
    {"receipt.readme_missing", "Readme.txt: nicht gefunden", "Readme.txt: not found"},
    {"receipt.contact_found", "Kontaktdaten: gefunden", "Contact data: found"},
    {"receipt.contact_missing", "Kontaktdaten: nicht gefunden", "Contact data: not found"},
    {"receipt.encrypted", "Verschlüsselt: ja", "Encrypted: yes"},
    {"receipt.not_encrypted", "Verschlüsselt: nein", "Encrypted: no"},
    {"receipt.warnings_heading", "Hinweise", "Notes"},
    {"reason.format_mismatch.message", "Der Inhalt gibt sich als {type} aus, lässt sich aber nicht als solches lesen.",
     "The content presents itself as a {type} but cannot be read as one."},
    {"reason.format_mismatch.advice", "Bitte packen Sie Ihre Dateien mit einem üblichen Packprogramm neu.",
     "Please pack your files again with a common archiving tool."},
    {"reason.bare_gzip.message", "Diese .gz-Datei enthält eine einzelne Datei, kein Archiv mit Dateien.",
     "This .gz holds a single file, not an archive of files."},
    {"reason.bare_gzip.advice",
     "Bitte packen Sie Ihre Dateien und die Readme.txt zusammen als .tar.gz (tar -czf fall.tar.gz ...) oder als "
     ".zip.",
     "Please pack your files and the Readme.txt together as .tar.gz (tar -czf case.tar.gz ...) or as .zip."},
    {"reason.corrupt.message", "Das Archiv ist beschädigt oder unvollständig.",
     "The archive is damaged or incomplete."},
    {"reason.corrupt.advice", "Bitte erstellen Sie das Archiv neu und senden Sie es noch einmal.",
     "Please create the archive again and send it once more."},
    {"reason.missing_readme.message", "Ihr Archiv enthält keine Readme.txt.", "Your archive has no Readme.txt."},
    {"reason.missing_readme.advice",
     "Bitte legen Sie eine Datei Readme.txt mit Ihrem Anliegen und Ihren Kontaktdaten in die oberste Ebene des "
     "Archivs.",
     "Please put a file Readme.txt with your concern and your contact data at the top level of the archive."},
    {"reason.readme_no_contact.message", "Die Readme.txt enthält weder eine E-Mail-Adresse noch eine Telefonnummer.",
     "The Readme.txt has no e-mail address or phone number."},
    {"reason.readme_no_contact.advice",
     "Bitte ergänzen Sie, wie wir Sie erreichen: E-Mail-Adresse oder Telefonnummer, gern auch Name, Firma und "
     "Kunden- oder Ticketnummer.",
     "Please add how we can reach you: an e-mail address or phone number, and ideally your name, company and "
     "customer or ticket number."},
    {"reason.readme_no_concern.message", "Die Readme.txt beschreibt Ihr Anliegen nicht.",
     "The Readme.txt does not describe your concern."},
    {"reason.readme_no_concern.advice",
     "Bitte beschreiben Sie in ein paar Sätzen, was passiert ist und was wir uns ansehen sollen.",
     "Please describe in a few sentences what happened and what we should look at."},
    {"reason.readme_encrypted.message", "Die Readme.txt ist verschlüsselt; wir konnten sie nicht lesen.",
     "The Readme.txt is encrypted; we could not read it."},
    {"reason.readme_encrypted.advice",
     "Bitte senden Sie uns Ihre Kontaktdaten und das Passwort über das Kontaktformular und nennen Sie dabei die "
     "Vorgangsnummer.",
     "Please send us your contact data and the password through the contact form, quoting the reference."},
    {"reason.encrypted.message", "Das Archiv ist mit einem Passwort geschützt.",
     "The archive is protected with a password."},
    {"reason.encrypted.advice",
     "Bitte senden Sie uns das Passwort über das Kontaktformular und nennen Sie dabei die Vorgangsnummer - nie "
     "per E-Mail zusammen mit dem Archiv.",
     "Please send us the password through the contact form, quoting the reference - never by e-mail together "
     "with the archive."},
    {"reason.encrypted_names.message",
     "Das Archiv ist samt Dateinamen verschlüsselt; wir konnten nicht hineinsehen, auch nicht in die Readme.txt.",
     "The archive is encrypted including its file names; we could not look inside, not even at the Readme.txt."},
    {"reason.encrypted_names.advice",
     "Bitte senden Sie uns das Passwort und Ihre Kontaktdaten über das Kontaktformular und nennen Sie dabei die "
     "Vorgangsnummer.",
     "Please send us the password and your contact data through the contact form, quoting the reference."},
    {"reason.path_traversal.message", "Einträge im Archiv zeigen mit \"..\" aus dem Archiv heraus.",
     "Entries in the archive point outside it with \"..\"."},
    {"reason.path_traversal.advice",
     "Bitte packen Sie die Dateien aus ihrem gemeinsamen Ordner heraus neu, ohne \"..\" in den Pfaden.",
     "Please pack the files again from their common folder, without \"..\" in the paths."},
    {"reason.absolute_path.message", "Einträge im Archiv haben absolute Pfade (etwa /etc/... oder C:\\...).",
     "Entries in the archive have absolute paths (such as /etc/... or C:\\...)."},
    {"reason.absolute_path.advice", "Bitte packen Sie die Dateien mit relativen Pfaden neu.",
     "Please pack the files again with relative paths."},
    {"reason.links.message", "Das Archiv enthält Verknüpfungen (symbolische oder harte Links).",
     "The archive contains links (symbolic or hard links)."},
    {"reason.links.advice", "Wir öffnen sie nicht. Legen Sie bitte die Dateien selbst bei, falls wir sie brauchen.",
     "We will not follow them. Please include the files themselves if we need them."},
    {"reason.special_files.message", "Das Archiv enthält Gerätedateien, Pipes oder Sockets.",
     "The archive contains device files, pipes or sockets."},
    {"reason.special_files.advice", "Diese werden nicht ausgepackt; sie werden für die Analyse nicht gebraucht.",
     "These will not be unpacked; they are not needed for the analysis."},
    {"reason.duplicate_names.message", "Mehrere Einträge haben denselben Namen.",
     "Several entries have the same name."},
    {"reason.duplicate_names.advice", "Beim Auspacken bleibt nur einer davon erhalten; bitte benennen Sie sie um.",
     "Only one of them survives unpacking; please rename them."},
    {"reason.too_many_entries.message", "Das Archiv hat mehr als {max_entries} Einträge.",
     "The archive has more than {max_entries} entries."},
    {"reason.too_many_entries.advice",
     "Bitte fassen Sie viele kleine Dateien in Unterarchiven zusammen oder senden Sie nur die nötigen.",
     "Please bundle many small files into inner archives or send only the ones needed."},
    {"reason.total_size_too_large.message", "Ausgepackt wäre das Archiv größer als {max_total_mb} MB.",
     "Unpacked, the archive would be larger than {max_total_mb} MB."},
    {"reason.total_size_too_large.advice", "Bitte senden Sie nur die Dateien, die wir für den Fall brauchen.",
     "Please send only the files we need for the case."},
    {"reason.compression_bomb.message", "Einträge sind ungewöhnlich stark komprimiert (Verdacht auf eine Zip-Bombe).",
     "Entries are compressed unusually strongly (a suspected zip bomb)."},
    {"reason.compression_bomb.advice",
     "Bitte senden Sie die echten Dateien; sehr große, gleichförmige Dateien lassen Sie bitte weg.",
     "Please send the real files; leave out very large uniform files."},
    {"reason.decompression_limit.message",
     "Das Archiv entpackt zu mehr als {max_unpacked_mb} MB; wir haben nur diesen Teil geprüft.",
     "The archive unpacks to more than {max_unpacked_mb} MB; we checked only that part."},
    {"reason.decompression_limit.advice",
     "Legen Sie die Readme.txt am besten an den Anfang des Archivs oder senden Sie ein ZIP.",
     "Best put the Readme.txt at the start of the archive, or send a ZIP."},
    {"reason.nested_archive.message", "Das Archiv enthält weitere Archive; deren Inhalt haben wir nicht geprüft.",
     "The archive contains further archives; we did not check their contents."},
    {"reason.nested_archive.advice", "Das ist in Ordnung, wenn Sie es so beabsichtigt haben.",
     "That is fine if you meant it so."},
    {"reason.long_path.message", "Einige Dateinamen sind ungewöhnlich lang und wurden gekürzt angezeigt.",
     "Some file names are unusually long and were shown shortened."},
    {"reason.long_path.advice", "Kürzere Pfade erleichtern uns die Arbeit.", "Shorter paths make our work easier."},
    {"reason.extension_mismatch.message",
     "Der Dateiname passt nicht zum Inhalt. Wir haben den Inhalt als {type} erkannt und so gespeichert.",
     "The file name does not match the content. We recognised the content as {type} and stored it as such."},
    {"reason.extension_mismatch.advice", "Sie müssen nichts weiter tun.", "You need not do anything."},

    // Archive types as shown to people
    {"type.zip", "ZIP-Archiv", "ZIP archive"},
    {"type.rar4", "RAR-Archiv (RAR 4)", "RAR archive (RAR 4)"},
    {"type.rar5", "RAR-Archiv (RAR 5)", "RAR archive (RAR 5)"},
    {"type.gzip", "gzip-komprimierte Datei (.gz)", "gzip-compressed file (.gz)"},
    {"type.tar", "TAR-Archiv", "TAR archive"},

    // What a refused file is
    {"kind.empty", "eine leere Datei", "an empty file"},
    {"kind.pdf", "ein PDF-Dokument", "a PDF document"},
    {"kind.png", "ein PNG-Bild", "a PNG image"},
    {"kind.jpeg", "ein JPEG-Bild", "a JPEG image"},
    {"kind.gif", "ein GIF-Bild", "a GIF image"},
    {"kind.7z", "ein 7-Zip-Archiv", "a 7-Zip archive"},
    {"kind.xz", "eine xz-komprimierte Datei", "an xz-compressed file"},
    {"kind.bzip2", "eine bzip2-komprimierte Datei", "a bzip2-compressed file"},
    {"kind.zstd", "eine zstd-komprimierte Datei", "a zstd-compressed file"},
    {"kind.executable", "ein ausführbares Programm", "an executable program"},
    {"kind.text", "eine Textdatei", "a text file"},
    {"kind.unknown", "eine Datei unbekannten Typs", "a file of unknown type"},

    // Errors: a heading per status, and message + advice per public code
    {"error.title", "Fehler", "Error"},
    {"error.heading", "Das hat nicht geklappt", "That did not work"},
    {"error.too_large.message", "Die Datei ist größer als {max_mb} MB.", "The file is larger than {max_mb} MB."},
    {"error.too_large.advice",
     "Bitte lassen Sie große Dateien weg oder teilen Sie sie auf mehrere Archive auf und senden Sie diese "
     "einzeln.",
     "Please leave out large files, or split them into several archives and send those one by one."},
    {"error.empty_file.message", "Die Datei ist leer.", "The file is empty."},
    {"error.empty_file.advice", "Bitte wählen Sie das Archiv mit Ihren Dateien aus.",
     "Please choose the archive with your files."},
    {"error.not_an_archive.message", "Dies ist {kind}, kein Archiv.", "This is {kind}, not an archive."},
    {"error.not_an_archive.advice",
     "Bitte packen Sie Ihre Dateien zusammen mit einer Readme.txt in ein ZIP-, TAR-, TAR.GZ- oder RAR-Archiv.",
     "Please pack your files together with a Readme.txt into a ZIP, TAR, TAR.GZ or RAR archive."},
    {"error.archive_rejected.message", "Wir haben in Ihr Archiv geschaut und können es so nicht annehmen.",
     "We looked into your archive and cannot accept it as it is."},
    {"error.archive_rejected.advice",
     "Bitte beheben Sie die folgenden Punkte und senden Sie das Archiv erneut. Es wurde nichts aufbewahrt.",
     "Please fix the points below and send the archive again. Nothing was kept."},
    {"error.could_not_process.message",
     "Ihr Archiv konnte nicht verarbeitet werden. Es wurde nichts aufbewahrt. Fehlerkennung: {incident}.",
     "Your archive could not be processed. Nothing was kept. Incident reference: {incident}."},
    {"error.could_not_process.advice",
     "Bitte packen Sie die Dateien neu, als ZIP oder TAR.GZ, und versuchen Sie es erneut. Hilft das nicht, "
     "nennen Sie uns bitte die Fehlerkennung.",
     "Please pack the files again, as ZIP or TAR.GZ, and try once more. If that does not help, please tell us "
     "the incident reference."},
    {"error.no_file.message", "Es wurde keine Datei gesendet.", "No file was sent."},
    {"error.no_file.advice", "Bitte wählen Sie eine Archivdatei aus und senden Sie das Formular erneut.",
     "Please choose an archive file and submit the form again."},
    {"error.several_files.message", "Es wurde mehr als eine Datei gesendet.", "More than one file was sent."},
    {"error.several_files.advice", "Bitte packen Sie alle Dateien in genau ein Archiv.",
     "Please pack all files into exactly one archive."},
    {"error.malformed_upload.message", "Die Übertragung war unvollständig oder fehlerhaft.",
     "The transfer was incomplete or malformed."},
    {"error.malformed_upload.advice", "Bitte versuchen Sie es erneut.", "Please try again."},
    {"error.not_multipart.message", "Die Datei wurde nicht als Formular-Upload gesendet.",
     "The file was not sent as a form upload."},
    {"error.not_multipart.advice",
     "Bitte nutzen Sie das Formular auf der Upload-Seite (oder curl -F file=@archiv.zip).",
     "Please use the form on the upload page (or curl -F file=@archive.zip)."},
    {"error.csrf_failed.message", "Das Formular ist abgelaufen oder ungültig.", "The form has expired or is invalid."},
    {"error.csrf_failed.advice", "Bitte laden Sie die Upload-Seite neu und senden Sie die Datei erneut.",
     "Please reload the upload page and send the file again."},
    {"error.foreign_origin.message", "Diese Anfrage kam von einer fremden Webseite.",
     "This request came from another website."},
    {"error.foreign_origin.advice", "Bitte laden Sie Ihre Datei direkt über unsere Upload-Seite hoch.",
     "Please upload your file directly on our upload page."},
    {"error.storage_failed.message", "Die Datei konnte nicht gespeichert werden. Es wurde nichts aufbewahrt.",
     "The file could not be stored. Nothing was kept."},
    {"error.storage_failed.advice", "Bitte versuchen Sie es in einigen Minuten erneut.",
     "Please try again in a few minutes."},
    {"error.too_many_uploads.message", "Es laufen gerade zu viele Uploads.", "There are too many uploads right now."},
    {"error.too_many_uploads.advice", "Bitte versuchen Sie es in {retry_after} Sekunden erneut.",
     "Please try again in {retry_after} seconds."},
    {"error.too_many_connections.message", "Zu viele gleichzeitige Verbindungen.",
     "Too many simultaneous connections."},
    {"error.too_many_connections.advice", "Bitte versuchen Sie es in {retry_after} Sekunden erneut.",
     "Please try again in {retry_after} seconds."},
    {"error.disk_full.message", "Der Server hat gerade keinen Platz für weitere Uploads.",
     "The server has no room for more uploads right now."},
    {"error.disk_full.advice", "Bitte versuchen Sie es später erneut; wir wurden informiert.",
     "Please try again later; we have been informed."},
    {"error.timeout.message", "Die Übertragung war zu langsam oder hat zu lange gedauert.",
     "The transfer was too slow or took too long."},
    {"error.timeout.advice", "Bitte versuchen Sie es mit einer stabileren Verbindung erneut.",
     "Please try again with a more stable connection."},
    {"error.headers_too_large.message", "Die Anfrage hatte zu große Kopfzeilen.",
     "The request headers were too large."},
    {"error.headers_too_large.advice", "Bitte löschen Sie die Cookies dieser Seite und versuchen Sie es erneut.",
     "Please delete this site's cookies and try again."},
    {"error.method_not_allowed.message", "Diese Anfrageart wird hier nicht unterstützt.",
     "This kind of request is not supported here."},
    {"error.method_not_allowed.advice", "Bitte nutzen Sie die Upload-Seite.", "Please use the upload page."},
    {"error.not_found.message", "Diese Seite gibt es nicht.", "This page does not exist."},
    {"error.not_found.advice", "Bitte prüfen Sie die Adresse.", "Please check the address."},
    {"error.bad_request.message", "Die Anfrage war fehlerhaft.", "The request was malformed."},
    {"error.bad_request.advice", "Bitte versuchen Sie es erneut.", "Please try again."},
    {"error.shutting_down.message", "Der Dienst startet gerade neu.", "The service is restarting."},
    {"error.shutting_down.advice", "Bitte versuchen Sie es in einer Minute erneut.", "Please try again in a minute."},
    {"error.internal.message", "Ein interner Fehler ist aufgetreten. Es wurde nichts aufbewahrt.",
     "An internal error occurred. Nothing was kept."},
    {"error.internal.advice", "Bitte versuchen Sie es später erneut.", "Please try again later."},

    // Privacy page, built from the live configuration
    {"privacy.title", "Datenschutz", "Privacy"},
    {"privacy.heading", "Datenschutzerklärung für Support-Uploads", "Privacy notice for support uploads"},
    {"privacy.intro",
     "Diese Seite beschreibt, was mit den Dateien geschieht, die Sie hier für einen Supportfall hochladen. "
     "Die Angaben werden aus der laufenden Konfiguration dieses Servers erzeugt.",
     "This page describes what happens to the files you upload here for a support case. It is generated from "
     "this server's running configuration."},
    {"privacy.controller_heading", "Verantwortlich", "Controller"},
    {"privacy.controller_unset", "Der Betreiber dieses Dienstes (nicht konfiguriert).",
     "The operator of this service (not configured)."},
    {"privacy.stored_heading", "Was gespeichert wird", "What is stored"},
    {"privacy.stored_archive",
     "Ihr Archiv, sein ursprünglicher Dateiname, die Liste der enthaltenen Dateien und die Kontaktdaten aus der "
     "Readme.txt (wir prüfen das Archiv in einem abgeschotteten Prozess, ohne es auszupacken): nur verschlüsselt für "
     "die Schlüssel des Support-Teams (Anzahl: {recipients}).",
     "Your archive, its original file name, the list of the files in it and the contact data from its Readme.txt "
     "(we check the archive in an isolated process, without unpacking it): only encrypted to the "
     "support team's keys (number of keys: {recipients})."},
    {"privacy.stored_sealed", "Dieser Server kann sie nach dem Hochladen nicht mehr lesen.",
     "This server cannot read them after the upload."},
    {"privacy.stored_sealed_demo", "Im Demo-Betrieb liegt dieser Schlüssel auf diesem Server, der sie also lesen kann.",
     "In demo mode that key is kept on this server, which can therefore read them."},
    {"privacy.stored_metadata",
     "Verwaltungsdaten ohne Personenbezug: Vorgangsnummer, Größe, Prüfsumme, erkannter Dateityp, Zeitpunkte.",
     "Administrative data without personal data: reference, size, checksum, detected file type, times."},
    {"privacy.stored_network",
     "Ihre IP-Adresse wird nicht gespeichert; sie wird nur kurzzeitig im Arbeitsspeicher gehalten, um Missbrauch "
     "zu begrenzen.",
     "Your IP address is not stored; it is kept in memory only briefly to limit abuse."},
    {"privacy.access_heading", "Wer Zugriff hat", "Who has access"},
    {"privacy.access",
     "Nur die Mitarbeitenden des Supports, die einen der Schlüssel besitzen, auf einem abgeschotteten Testrechner.",
     "Only the support staff who hold one of the keys, on an isolated test machine."},
    {"privacy.retention_heading", "Wie lange", "How long"},
    {"privacy.retention",
     "Bis der Supportfall abgeschlossen ist. Nicht abgeholte Uploads werden nach {days} Tagen automatisch gelöscht, "
     "abgebrochene Uploads nach wenigen Stunden. Nur in seltenen Fällen wird eine anonymisierte Kopie (ohne "
     "Readme und Kontaktdaten) als Testdaten aufbewahrt.",
     "Until the support case is closed. Uploads that are not collected are deleted automatically after {days} "
     "days, abandoned uploads within hours. Only in rare cases is an anonymised copy (without Readme and contact "
     "data) kept as test data."},
    {"privacy.rights_heading", "Ihre Rechte", "Your rights"},
    {"privacy.rights",
     "Sie haben das Recht auf Auskunft, Berichtigung, Löschung und Einschränkung der Verarbeitung sowie das Recht, "
     "sich bei einer Aufsichtsbehörde zu beschweren. Nennen Sie uns dazu Ihre Vorgangsnummer.",
     "You have the right of access, rectification, erasure and restriction of processing, and the right to "
     "lodge a complaint with a supervisory authority. Quote your reference when you contact us."},
});

const Message* find(std::string_view key) {
    const auto it = std::ranges::find(k_messages, key, &Message::key);
    return it == k_messages.end() ? nullptr : &*it;
}

} // namespace

bool has_text(std::string_view key) {
    return find(key) != nullptr;
}

std::string text(Language language, std::string_view key, const MessageParameters& parameters) {
    const Message* message = find(key);
    if (message == nullptr) {
        return std::string(key);
    }
    const std::string_view pattern = language == Language::de ? message->de : message->en;
    std::string out;
    std::size_t position = 0;
    while (position < pattern.size()) {
        const std::size_t open = pattern.find('{', position);
        const std::size_t close = open == std::string_view::npos ? open : pattern.find('}', open);
        if (close == std::string_view::npos) {
            out += pattern.substr(position);
            break;
        }
        out += pattern.substr(position, open - position);
        const auto value = parameters.find(pattern.substr(open + 1, close - open - 1));
        out += value == parameters.end() ? std::string(pattern.substr(open, close - open + 1)) : value->second;
        position = close + 1;
    }
    return out;
}

} // namespace supportdrop::pages
