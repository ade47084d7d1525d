// Deep Q-learning on CartPole (Mnih et al. 2013, the DRL of seed 000) through the experiment
// path a user runs, `crossbarlab-cli train --preset fp32-dqn --seed N --json`: solved (mean
// reward >= 195 over 100 consecutive episodes, Gym's CartPole-v0 threshold) within the preset's
// 1,000-episode budget at seeds 1-3 (double DQN, 5-128-128-2 ReLU, replay 50,000, batch 64, target
// refresh every 500 learning steps, Adam 5e-4); and so does time-rram-dqn, the same agent with its
// Q-network in RRAM tiles under TIME's variability-tolerant write (seed 000's DRL trained in
// memory), 40-400x below a GPU in energy (seed 000: 126x). The six runs take about 3.5 minutes
// on a shared 2-core machine (README, "Deep RL").
#include "cli_runner.hpp"

namespace {

/// Trains `preset` on CartPole at `seed` and checks it is solved within the preset's budget.
void solves(const char* preset, int seed) {
    const auto j = run_cli_json(
        {"train", "--preset", preset, "--env", "cartpole", "--seed", QString::number(seed)});
    QVERIFY(j.is_object());
    double updates = 0;
    for (const auto& v : j["device_updates"])
        updates += v.get<double>();
    qInfo("%s seed %d: %d episodes, %llu steps, mean of the last 100: %.1f, %.0f device updates, "
          "%.0f s",
          preset, seed, j["episodes"].get<int>(), j["environment_steps"].get<unsigned long long>(),
          j["mean_reward_100"].get<double>(), updates, j["wall_seconds"].get<double>());
    QVERIFY(!j["diverged"].get<bool>());
    QVERIFY(j["episodes"].get<int>() <= 1000);
    QVERIFY2(j["mean_reward_100"].get<double>() >= 195,
             qPrintable(QString::number(j["mean_reward_100"].get<double>())));
    // Seed 000's DRL comparison (126x a GPU), issue 16's band: the same order.
    if (j.contains("energy_ratio")) {
        const double gpu = j["energy_ratio"]["vs_gpu"].get<double>();
        QVERIFY2(gpu >= 40 && gpu <= 400, qPrintable(QString::number(gpu)));
    }
}

} // namespace

class TestFidelityDqn : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void fp32DqnSolvesCartPole_data() {
        QTest::addColumn<int>("seed");
        for (int s : {1, 2, 3})
            QTest::newRow(qPrintable(QString("seed %1").arg(s))) << s;
    }
    void fp32DqnSolvesCartPole() {
        QFETCH(int, seed);
        solves("fp32-dqn", seed);
    }
    void timeRramDqnSolvesCartPole_data() { fp32DqnSolvesCartPole_data(); }
    void timeRramDqnSolvesCartPole() {
        QFETCH(int, seed);
        solves("time-rram-dqn", seed);
    }
};

QTEST_GUILESS_MAIN(TestFidelityDqn)
#include "tst_fidelity_dqn.moc"
