// Guided experiments (resources/lessons): every lesson file loads into a valid experiment, and a
// crafted bad lesson is refused with one line naming the file and the field.
#include "core/common/param_error.hpp"
#include "core/experiment/lesson.hpp"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace cbl;

namespace {
/// A lesson that loads; tests break one field at a time.
nlohmann::json good_lesson() {
    return {{"title", "t"},
            {"preset", "mca-pcm"},
            {"do", "d"},
            {"watch", "w"},
            {"question", "q"},
            {"answer", "a"},
            {"set", {{"tile.read_noise_scale", 20}}},
            {"show", {"chi"}}};
}
} // namespace

class TestLessons : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    std::string write(const std::string& name, const std::string& text) {
        const std::string path = dir_.filePath(QString::fromStdString(name)).toStdString();
        std::ofstream(path) << text;
        return path;
    }
    /// The error loading `j` gives (empty if it loads).
    QString error_of(const nlohmann::json& j) {
        try {
            (void)load_lesson_file(write("bad-lesson.json", j.dump()));
        } catch (const InputError& e) {
            return QString::fromStdString(e.what());
        }
        return {};
    }

  private Q_SLOTS:
    void everyLessonLoads() {
        const LessonLibrary lib = load_lessons();
        for (const auto& e : lib.errors)
            qWarning("%s", e.c_str());
        QVERIFY(lib.errors.empty());
        QVERIFY(lib.lessons.size() >= 8);
        for (const Lesson& l : lib.lessons) {
            QVERIFY(!l.title.empty() && !l.todo.empty() && !l.watch.empty());
            QVERIFY(!l.question.empty() && !l.answer.empty());
            QCOMPARE(l.config.name, l.preset);
            QCOMPARE(l.config.task, std::string("supervised"));
        }
    }

    void overridesApply() {
        const Lesson l = load_lesson("09-several-pairs");
        QCOMPARE(l.config.tile.pairs_per_weight, 4);
        QCOMPARE(l.config.scheme.eps, 0.024);
        QCOMPARE(int(l.overrides.size()), 2);
        QVERIFY(error_of(good_lesson()).isEmpty());
    }

    void badLessonsNameFileAndField_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown preset") << "preset"
                                        << "\"mca-pmc\""
                                        << "preset: mca-pmc is unknown";
        QTest::newRow("unknown key") << "set"
                                     << R"({"tile.read_nose_scale": 2})"
                                     << "read_nose_scale";
        QTest::newRow("bad value") << "set"
                                   << R"({"tile.read_noise_scale": 500})"
                                   << "tile.read_noise_scale = 500";
        QTest::newRow("wrong type") << "set"
                                    << R"({"scheme.eps": "small"})"
                                    << "scheme.eps";
        QTest::newRow("set not an object") << "set"
                                           << R"(["tile.read_noise_scale=2"])"
                                           << "set must be an object";
        QTest::newRow("empty question") << "question"
                                        << "\"\""
                                        << "question must be";
        QTest::newRow("unknown show") << "show"
                                      << R"(["chi", "gpu"])"
                                      << "show: \"gpu\"";
        QTest::newRow("misspelt field") << "titel"
                                        << "\"x\""
                                        << "titel is not a lesson field";
        QTest::newRow("missing answer") << "answer"
                                        << "null"
                                        << "answer is missing";
    }

    void badLessonsNameFileAndField() {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(QString, expected);
        nlohmann::json j = good_lesson();
        const nlohmann::json v = nlohmann::json::parse(value.toStdString());
        if (v.is_null())
            j.erase(field.toStdString());
        else
            j[field.toStdString()] = v;
        const QString e = error_of(j);
        QVERIFY2(e.startsWith(dir_.filePath("bad-lesson.json") + ": "), qPrintable(e));
        QVERIFY2(e.contains(expected), qPrintable(e));
        QVERIFY2(!e.contains('\n'), qPrintable(e));
    }

    void badJsonNamesFile() {
        const std::string path = write("broken.json", "{\"title\": ");
        try {
            (void)load_lesson_file(path);
            QFAIL("a broken file loaded");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(path)), e.what());
        }
    }

    void unknownLessonListsNames() {
        try {
            (void)load_lesson("no-such-lesson");
            QFAIL("an unknown lesson loaded");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).contains("01-direct-vs-mca"), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestLessons)
#include "tst_lessons.moc"
