// Experiment config validation: every bad field is rejected with its path and allowed range; the
// parameter schema drives parsing, --set, the live list and the presets README table.
#include "core/common/param_error.hpp"
#include "core/config/schema.hpp"
#include "core/experiment/config.hpp"
#include "core/experiment/experiment.hpp"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>

using namespace cbl;

namespace {
QString error_of(nlohmann::json j) {
    try {
        j.get<ExperimentConfig>().validate();
    } catch (const InputError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}
nlohmann::json preset_json() {
    return load_preset("fp32");
}
/// Every key of `part` is in `full` with the same value ("comment" aside).
bool contains(const nlohmann::json& full, const nlohmann::json& part) {
    if (!part.is_object()) return full == part;
    for (const auto& [k, v] : part.items())
        if (k != "comment" && (!full.contains(k) || !contains(full[k], v))) return false;
    return true;
}
/// A config of `family` whose other fields are a preset's.
nlohmann::json config_of_family(const std::string& family) {
    nlohmann::json j = load_preset(family == "rram" ? "time-rram" : "mca-pcm");
    if (family != "pcm" && family != "rram") j["device"] = {{"family", family}};
    return j;
}
} // namespace

class TestConfig : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void presetsLoadAndRoundTrip() {
        const auto names = preset_names();
        QVERIFY(names.size() >= 2);
        for (const auto& n : names) {
            const ExperimentConfig c = load_preset(n);
            QVERIFY(!c.description.empty());
            const nlohmann::json j = c;
            QCOMPARE(nlohmann::json(j.get<ExperimentConfig>()).dump(), j.dump());
        }
    }
    void presetsRoundTripThroughTheSchema() {
        // Reading a preset and writing it back keeps every field as written (plus defaults),
        // and the written form reads back to itself.
        for (const auto& n : preset_names()) {
            const nlohmann::json raw = read_json_file(resource_dir() + "/presets/" + n + ".json");
            const nlohmann::json full = raw.get<ExperimentConfig>();
            QVERIFY2(contains(full, raw), n.c_str());
            QCOMPARE(nlohmann::json(full.get<ExperimentConfig>()), full);
        }
    }
    void readmeTableIsTheSchema() {
        std::ifstream in(resource_dir() + "/presets/README.md");
        const std::string text{std::istreambuf_iterator<char>(in), {}};
        const std::string begin = "<!-- params:begin -->\n", end = "<!-- params:end -->";
        const auto b = text.find(begin), e = text.find(end);
        QVERIFY(b != std::string::npos && e != std::string::npos);
        QVERIFY2(text.substr(b + begin.size(), e - b - begin.size()) == schema_markdown(),
                 "resources/presets/README.md: regenerate the table with "
                 "`crossbarlab-cli params --markdown`");
    }
    void everyFieldIsReachableBySet() {
        for (const FieldSpec& f : parameter_schema()) {
            nlohmann::json j = config_of_family(f.family.empty() ? "pcm" : f.family);
            apply_override(j, f.path + "=" + f.default_value.dump());
            try {
                const nlohmann::json back = j.get<ExperimentConfig>();
                QVERIFY2(contains(back, j), f.path.c_str());
            } catch (const InputError& e) {
                QFAIL(qPrintable(QString::fromStdString(f.path + ": " + e.what())));
            }
        }
    }
    void integersDoNotWrap_data() {
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("path");
        for (const char* p :
             {"training.batch_size", "training.epochs", "scheme.refresh_interval",
              "tile.refresh_max_pulses", "tile.pairs_per_weight", "tile.peripherals.adc_bits",
              "tile.peripherals.dac_bits", "training.optimizer.decay_epochs",
              "scheme.write_max_iterations", "scheme.quantize_bits", "dataset.holdout"})
            QTest::newRow(p) << "pcm" << p;
        QTest::newRow("device.levels") << "rram"
                                       << "device.levels";
    }
    void integersDoNotWrap() {
        QFETCH(QString, family);
        QFETCH(QString, path);
        for (const char* big : {"4294967297", "-4294967295", "18446744073709551615"}) {
            nlohmann::json j = config_of_family(family.toStdString());
            apply_override(j, path.toStdString() + "=" + big);
            const QString e = error_of(j);
            QVERIFY2(e.contains(path + " = " + big + " ") && e.contains("out of range"),
                     qPrintable(path + ": " + e));
        }
    }
    void rlFieldsAreChecked() {
        // The DQN's fields (task = rl) are schema fields like any other: path and range named.
        nlohmann::json j = load_preset("time-rram-dqn");
        QCOMPARE(error_of(j), QString());
        apply_override(j, "rl.gamma=1.5");
        QVERIFY2(error_of(j).contains("rl.gamma = 1.5 is out of range"), qPrintable(error_of(j)));
        j = load_preset("fp32-dqn");
        apply_override(j, "rl.env=\"pong\"");
        QVERIFY2(error_of(j).contains("cartpole, mountaincar, acrobot"), qPrintable(error_of(j)));
        j = load_preset("fp32-dqn");
        apply_override(j, "rl.hidden=[8,8,8,8,8,8,8,8,8]");
        QVERIFY2(error_of(j).contains("rl.hidden needs 1 to 8"), qPrintable(error_of(j)));
        j = load_preset("fp32-dqn");
        apply_override(j, "training.precision=\"fp64\"");
        QVERIFY2(error_of(j).contains("fp32 Q-network"), qPrintable(error_of(j)));
    }
    void seedKeepsAllSixtyFourBits() {
        nlohmann::json j = preset_json();
        apply_override(j, "training.seed=18446744073709551615");
        QCOMPARE(j.get<ExperimentConfig>().training.seed, std::uint64_t(18446744073709551615ull));
        apply_override(j, "training.seed=18446744073709551616"); // 2^64: no integer any more
        QVERIFY(error_of(j).contains("training.seed: expected a whole number"));
        apply_override(j, "training.seed=-1");
        QVERIFY(error_of(j).contains("training.seed = -1 is out of range"));
    }
    void nonFinitePhysicsIsRefused() {
        nlohmann::json j = preset_json();
        apply_override(j, "training.optimizer.adam_epsilon=1e-320");
        QVERIFY(error_of(j).contains("training.optimizer.adam_epsilon = 1e-320 is out of range"));
        j = load_preset("mca-pcm");
        apply_override(j, "device.t0_s=1e-320");
        QVERIFY(error_of(j).contains("device.t0_s = 1e-320 s is out of range"));
        j = load_preset("mca-pcm");
        apply_override(j, "device.g_max_uS=1.5");
        QVERIFY2(error_of(j).contains("device.g_max_uS = 1.5"), qPrintable(error_of(j)));
        j = load_preset("time-rram");
        apply_override(j, "device.mu_g=1");
        QVERIFY(error_of(j).contains("device.mu_g is not a known field of the rram device family"));
    }
    void badJsonSaysWhere() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("bad.json").toStdString();
        std::ofstream(path) << "{\n  \"name\": \"x\",\n  \"training\": { \"epochs\": 3, }\n}\n";
        try {
            load_config_file(path);
            QFAIL("no error");
        } catch (const InputError& e) {
            QCOMPARE(QString(e.what()),
                     QString::fromStdString(path) + ": not valid JSON at line 3, column 30");
        }
    }
    void badPresetFailsAndIsNotListed() {
        // A copy of the resources with one broken preset.
        namespace fs = std::filesystem;
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        fs::copy(resource_dir(), root, fs::copy_options::recursive);
        nlohmann::json bad = read_json_file((root / "presets" / "fp32.json").string());
        bad["scheme"]["eps"] = -1;
        std::ofstream((root / "presets" / "broken.json").string()) << bad.dump(2);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("CROSSBARLAB_RESOURCES", QString::fromStdString(root.string()));
        const auto run = [&](const QStringList& args) {
            QProcess p;
            p.setProcessEnvironment(env);
            p.start(CROSSBARLAB_CLI, args);
            p.waitForFinished(60000);
            return std::tuple{p.exitCode(), QString(p.readAllStandardOutput()),
                              QString(p.readAllStandardError())};
        };
        const auto [code, out, err] = run({"train", "--preset", "broken"});
        QVERIFY(code != 0);
        QCOMPARE(err.count('\n'), 1);
        QVERIFY2(err.contains("broken.json: scheme.eps = -1 weight units is out of range; allowed "
                              "0.0001 .. 100 weight units"),
                 qPrintable(err));
        const auto [code2, list, why] = run({"presets"});
        QCOMPARE(code2, 0);
        QVERIFY(list.contains("fp32") && !list.contains("broken"));
        QVERIFY2(why.contains("skipped") && why.contains("broken.json: scheme.eps"),
                 qPrintable(why));
    }
    void badFieldsAreNamed_data() {
        QTest::addColumn<QString>("assignment");
        QTest::addColumn<QString>("expected");
        QTest::newRow("negative lr") << "training.optimizer.learning_rate=-1"
                                     << "training.optimizer.learning_rate";
        QTest::newRow("nan lr") << "training.optimizer.learning_rate=NaN"
                                << "expected a number";
        QTest::newRow("zero batch") << "training.batch_size=0"
                                    << "training.batch_size";
        QTest::newRow("string epochs") << "training.epochs=\"ten\""
                                       << "training.epochs";
        QTest::newRow("fractional epochs") << "training.epochs=2.5"
                                           << "whole number";
        QTest::newRow("bad precision") << "training.precision=\"fp16\""
                                       << "fp32, fp64";
        QTest::newRow("bad activation") << "network.hidden_activation=\"tanh\""
                                        << "sigmoid, relu";
        QTest::newRow("tiny layer") << "network.layers=[785,1,10]"
                                    << "network.layers[1]";
        QTest::newRow("unknown key") << "training.epoch=3"
                                     << "training.epoch is not a known field";
        QTest::newRow("bad optimizer") << "training.optimizer.type=\"rmsprop\""
                                       << "sgd, momentum, adam";
        QTest::newRow("negative time") << "training.seconds_per_image=-0.1"
                                       << "training.seconds_per_image";
    }
    void badFieldsAreNamed() {
        QFETCH(QString, assignment);
        QFETCH(QString, expected);
        nlohmann::json j = preset_json();
        apply_override(j, assignment.toStdString());
        const QString e = error_of(j);
        QVERIFY2(e.contains(expected), qPrintable("got: " + e));
    }
    void rangeMessagesGiveTheRange() {
        nlohmann::json j = preset_json();
        apply_override(j, "training.optimizer.momentum=2");
        QVERIFY(error_of(j).contains("allowed 0 .. 0.999"));
    }
    void badOverrideKeysAreNamed() {
        const auto message = [](const std::string& assignment) {
            nlohmann::json j = preset_json();
            try {
                apply_override(j, assignment);
            } catch (const InputError& e) {
                return QString(e.what());
            }
            return error_of(j);
        };
        // A group that does not exist reaches the loader, which names the unknown field.
        QVERIFY(
            message("training.schedule.x=1").contains("training.schedule is not a known field"));
        QVERIFY(message("training.epochs.x=1").contains("training.epochs is a value"));
        QVERIFY(message("training..x=1").contains("empty part"));
    }
    void listEntriesAreReachableByIndex() {
        // network.graph.N.FIELD reaches one layer (the dropout sweep of README's CNN section).
        nlohmann::json j = load_preset("fp32-cnn-cifar");
        apply_override(j, "network.graph.7.rate=0.4");
        QCOMPARE(j.get<ExperimentConfig>().network.graph[7].rate, 0.4);
        const auto refusal = [&](const std::string& assignment) {
            try {
                apply_override(j, assignment);
            } catch (const InputError& e) {
                return QString(e.what());
            }
            return QString();
        };
        QVERIFY(
            refusal("network.graph.11.rate=0.1")
                .contains("network.graph is a list of 11 entries; 11 is not an index below 11"));
        QVERIFY(refusal("network.graph.x.rate=0.1").contains("x is not an index"));
    }
    void unknownPresetListsTheKnownOnes() {
        try {
            load_preset("nope");
            QFAIL("no error");
        } catch (const InputError& e) {
            QVERIFY(QString(e.what()).contains("fp32"));
        }
    }
    void hotAndStructuralParameters() {
        QVERIFY(Experiment::is_hot("training.optimizer.learning_rate"));
        QVERIFY(Experiment::is_hot("tile.read_noise_scale"));
        QVERIFY(!Experiment::is_hot("network.layers"));
        QVERIFY(!Experiment::is_hot("device.g_max_uS"));
        QVERIFY(Experiment::is_hot("technology"));
        for (const FieldSpec& f : parameter_schema())
            if (f.family.empty()) QCOMPARE(Experiment::is_hot(f.path), f.live);
    }
    void liveChangesGoThroughTheSchema() {
        ExperimentConfig c = load_preset("mca-pcm");
        c.dataset.source = "synthetic";
        c.dataset.train_limit = 100;
        c.dataset.test_limit = 50;
        c.network.layers = {785, 8, 10};
        Experiment e(c, std::make_shared<const DataSplit>(load_dataset(c.dataset)));
        e.train(10);
        const auto message = [&](const std::string& path, const nlohmann::json& v) {
            try {
                e.set_parameter(path, v);
            } catch (const InputError& x) {
                return QString(x.what());
            }
            return QString();
        };
        QVERIFY(message("scheme.eps", 0.05).isEmpty());
        QCOMPARE(e.config().scheme.eps, 0.05);
        QVERIFY(message("device.g_max_uS", 5).contains("device.g_max_uS is structural"));
        // A device field marked live in the schema applies while training runs.
        QVERIFY(message("device.mu_0_uS", 1.2).isEmpty());
        QCOMPARE(std::get<PcmParams>(e.config().tile.device.model).mu_0_uS, 1.2);
        QVERIFY(message("device.t0_s", 10).contains("device.t0_s is structural"));
        QVERIFY(message("tile.read_noise_scale", -1).contains("allowed 0 .. 100"));
        // The technology preset is live: the energy report re-prices, nothing restarts.
        const nlohmann::json before = to_json(e.energy_report());
        QVERIFY(message("technology", "rram-32nm").isEmpty());
        QCOMPARE(e.config().technology, std::string("rram-32nm"));
        QVERIFY(to_json(e.energy_report()) != before);
        QCOMPARE(e.step(), std::uint64_t(10));
        QVERIFY(message("technology", "../presets/fp32").contains("not a preset name"));
        QVERIFY(message("technology", "nope").contains("allowed: digital-32bit-14nm"));
        // A device field added later by its schema entry and physics alone (issue 12's
        // example) is live too: the pulses after it differ from those of a twin without it.
        const auto data = std::make_shared<const DataSplit>(load_dataset(c.dataset));
        Experiment twin(e.state(), data);
        QVERIFY(message("device.sigma_d2d", 0.8).isEmpty());
        e.train(40);
        twin.train(40);
        QVERIFY(e.weights(0) != twin.weights(0));
    }
    void layerShapeMustMatchDataset() {
        ExperimentConfig c = load_preset("fp32");
        c.dataset.source = "synthetic";
        c.network.layers = {100, 20, 10};
        try {
            Experiment e(c, std::make_shared<const DataSplit>(load_dataset(c.dataset)));
            QFAIL("no error");
        } catch (const InputError& e) {
            QVERIFY(QString(e.what()).contains("784 pixels"));
        }
    }
};

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
