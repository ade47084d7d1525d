// Deep RL from the command line (issue 16 item 6): `train` runs a deep-RL preset (task = rl) and
// prints its summary (episode rewards, steps, device updates, energy ratios where the ledger can
// price them); --env picks the control task and is refused when unknown or for a supervised
// preset; the same seed gives the same run whatever --threads.
#include "../common/cli_process.hpp"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

namespace {

/// A few episodes of `preset`, learning after 200 random steps.
QStringList few(const QString& preset, int episodes = 30) {
    return {"train",
            "--preset",
            preset,
            "--set",
            QString("rl.episodes=%1").arg(episodes),
            "--set",
            "rl.warmup_steps=200",
            "--json"};
}

nlohmann::json parsed(const CliRun& r) {
    return nlohmann::json::parse(r.out.toStdString(), nullptr, false);
}

} // namespace

class TestCliRl : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void rlPresetPrintsItsSummary() {
        const CliRun r = run_cli(few("time-rram-dqn") + QStringList{"--env", "cartpole"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const nlohmann::json j = parsed(r);
        QVERIFY2(j.is_object(), qPrintable(r.out));
        for (const char* key :
             {"episode_reward", "mean_reward_100", "episodes", "environment_steps",
              "device_updates", "wall_seconds", "preset", "diverged"})
            QVERIFY2(j.contains(key), key);
        QCOMPARE(j["preset"].get<std::string>(), std::string("time-rram-dqn"));
        QCOMPARE(j["episodes"].get<int>(), 30);
        QCOMPARE(j["episode_reward"].size(), std::size_t(30));
        QCOMPARE(j["diverged"].get<bool>(), false);
        double steps = 0;
        for (const auto& v : j["episode_reward"])
            steps += v.get<double>(); // CartPole: reward 1 per step
        QCOMPARE(j["environment_steps"].get<double>(), steps);
        // 5-128-128-2: three weight layers, all written in RRAM once learning started.
        QCOMPARE(j["device_updates"].size(), std::size_t(3));
        for (const auto& v : j["device_updates"])
            QVERIFY(v.get<double>() > 0);
        // rram-32nm lists TIME's two comparisons (DaDianNao, a GPU).
        QVERIFY2(j.contains("energy_ratio"), qPrintable(r.out));
        QVERIFY(j["energy_ratio"]["vs_dadiannao"].get<double>() > 0);
        QVERIFY(j["energy_ratio"]["vs_gpu"].get<double>() > 0);
        // Progress goes to stderr, as the supervised train's.
        QVERIFY2(r.err.contains("time-rram-dqn") && r.err.contains("mean100"), qPrintable(r.err));
    }
    void supervisedTimePresetReportsTheRatioToo() {
        // Issue 16 item 6: the SL presets report energy_ratio too, from the same ledger pricing.
        const auto sl = [](const char* preset) {
            return parsed(
                run_cli({"train", "--preset", preset, "--dataset", "synthetic", "--epochs", "1",
                         "--train-limit", "200", "--test-limit", "50", "--json"}));
        };
        const nlohmann::json time = sl("time-rram");
        QVERIFY2(time.contains("energy_ratio"), qPrintable(QString::fromStdString(time.dump())));
        const double asic = time["energy_ratio"]["vs_dadiannao"].get<double>();
        const double gpu = time["energy_ratio"]["vs_gpu"].get<double>();
        QVERIFY(asic > 1 && gpu > asic);
        // The same numbers as the ledger's reference list: one pricing, not two.
        QCOMPARE(asic, time["energy"]["energy_ratio_vs"]["DaDianNao"].get<double>());
        QCOMPARE(gpu, time["energy"]["energy_ratio_vs"]["GPU"].get<double>());
        // fp32's digital technology lists neither of TIME's comparisons: no ratio is made up.
        QVERIFY(!sl("fp32").contains("energy_ratio"));
    }
    void outSavesTheRunAndResumeLoadsIt() {
        // --out saves the deep-RL run as a session; --resume loads it (here at its budget, so
        // it plays no more and reports the same episodes).
        QTemporaryDir dir;
        const QString file = dir.filePath("dqn.h5");
        const CliRun saved = run_cli(few("time-rram-dqn", 10) + QStringList{"--out", file});
        QVERIFY2(saved.code == 0, qPrintable(saved.err));
        const CliRun resumed = run_cli({"train", "--resume", file, "--json"});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
        const nlohmann::json a = parsed(saved), b = parsed(resumed);
        QCOMPARE(b["episode_reward"], a["episode_reward"]);
        QCOMPARE(b["learning_steps"], a["learning_steps"]);
        QCOMPARE(b["energy_ratio"], a["energy_ratio"]);

        // drift ages a classifier's test accuracy: a deep-RL session is refused, saying so.
        const CliRun drift = run_cli({"drift", "--session", file});
        QCOMPARE(drift.code, 2); // bad input (CLI.md)
        QVERIFY2(drift.err.contains("deep-RL session (task = rl)"), qPrintable(drift.err));
        // export writes the episode rewards as its metrics.
        const QString csv = dir.filePath("csv");
        QCOMPARE(run_cli({"export", "--session", file, "--csv", csv}).code, 0);
        QFile metrics(csv + "/metrics.csv");
        QVERIFY(metrics.open(QIODevice::ReadOnly));
        QCOMPARE(QString(metrics.readLine()).trimmed(), QString("episode,episode_reward [reward]"));
        QCOMPARE(QString(metrics.readAll()).count('\n'), 10);
    }

    void divergedRunIsNotSaved() {
        // With --allow-divergence the summary says diverged and no session file is left.
        QTemporaryDir dir;
        const QString file = dir.filePath("diverged.h5");
        const CliRun r = run_cli(few("fp32-dqn", 100) +
                                 QStringList{"--set", "training.optimizer.type=sgd", "--set",
                                             "training.optimizer.learning_rate=100",
                                             "--allow-divergence", "--out", file});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(parsed(r)["diverged"].get<bool>(), true);
        QVERIFY2(r.err.contains("not saved"), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(file));
    }

    void sweepRunsDeepRlPoints() {
        // A sweep of a deep-RL preset: each point a whole run, its summary the train summary.
        QTemporaryDir dir;
        const CliRun r =
            run_cli({"sweep", "--preset", "fp32-dqn", "--set", "rl.warmup_steps=100", "--grid",
                     "rl.episodes=2,3", "--out", dir.filePath("s.h5"), "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const nlohmann::json j = parsed(r);
        QVERIFY2(j.is_array() && j.size() == 2, qPrintable(r.out));
        QCOMPARE(j[0]["summary"]["episodes"].get<int>(), 2);
        QCOMPARE(j[1]["summary"]["episodes"].get<int>(), 3);
        QCOMPARE(j[1]["summary"]["task"].get<std::string>(), std::string("rl"));
    }
    void everyEnvironmentRuns() {
        for (const char* env : {"mountaincar", "acrobot"}) {
            const CliRun r = run_cli(few("fp32-dqn", 2) + QStringList{"--env", env});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            const nlohmann::json j = parsed(r);
            QCOMPARE(j["environment"].get<std::string>(), std::string(env));
            QCOMPARE(j["episode_reward"].size(), std::size_t(2));
            // fp32-dqn's technology has no reference designs: no ratio is made up.
            QVERIFY(!j.contains("energy_ratio"));
        }
    }
    void unknownEnvIsRefused() {
        const CliRun r = run_cli(few("fp32-dqn") + QStringList{"--env", "bogus"});
        QVERIFY(r.code != 0);
        QVERIFY(r.out.isEmpty());
        const QString line = r.err.trimmed();
        QVERIFY2(!line.contains('\n'), qPrintable(line));
        QVERIFY2(line.contains("bogus") && line.contains("cartpole, mountaincar, acrobot"),
                 qPrintable(line));
    }
    void envWithSupervisedPresetIsRefused() {
        const CliRun r = run_cli({"train", "--preset", "fp32", "--env", "cartpole", "--json"});
        QVERIFY(r.code != 0);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(r.err.contains("--env") && r.err.contains("supervised"), qPrintable(r.err));
    }
    void supervisedOptionsAreRefused() {
        const CliRun r = run_cli(few("fp32-dqn") + QStringList{"--epochs", "3"});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("--epochs") && r.err.contains("rl.episodes"), qPrintable(r.err));
    }
    void sameSeedSameJsonWhateverThreads() {
        const auto run = [](const char* threads) {
            const CliRun r = run_cli(few("time-rram-dqn", 20) +
                                     QStringList{"--seed", "2", "--threads", threads});
            nlohmann::json j = parsed(r);
            // Wall-clock figures are the only ones allowed to differ.
            j.erase("wall_seconds");
            j.erase("environment_steps_per_second");
            return j;
        };
        const nlohmann::json one = run("1"), two = run("2");
        QVERIFY(one.is_object() && one.contains("episode_reward"));
        QCOMPARE(one.dump(), two.dump());
    }
};

QTEST_GUILESS_MAIN(TestCliRl)
#include "tst_cli_rl.moc"
