// Energy ledger and technology presets: hand-counted costs, seed 002 Table 1 calibration,
// validation of preset files.
#include "core/common/param_error.hpp"
#include "core/energy/ledger.hpp"
#include "core/energy/technology.hpp"
#include "core/experiment/experiment.hpp"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace cbl;

namespace {

constexpr int fwd = 0, bwd = 1, upd = 2, ref = 3, tot = 4;

// Round numbers so the expected values can be worked out by hand.
nlohmann::json toy_preset_json() {
    return nlohmann::json::parse(R"({
      "name": "toy",
      "components": [
        {"name": "mvm", "unit": "computational_memory", "counts": ["mvms"], "energy_pJ": 0, "latency_ns": 10, "source": "toy"},
        {"name": "read", "unit": "computational_memory", "counts": ["device_reads"], "energy_pJ": 0.5, "latency_ns": 0, "source": "toy"},
        {"name": "dac", "unit": "computational_memory", "counts": ["dac_conversions"], "energy_pJ": 2, "latency_ns": 0, "source": "toy"},
        {"name": "adc", "unit": "computational_memory", "counts": ["adc_conversions"], "energy_pJ": 4, "latency_ns": 0,
         "nominal_bits": 8, "energy_by_bits": {"4": 1, "8": 2}, "source": "toy"},
        {"name": "io", "unit": "digital", "counts": ["dac_conversions", "adc_conversions"], "energy_pJ": 1, "latency_ns": 1, "lanes": 2, "source": "toy"},
        {"name": "act", "unit": "digital", "counts": ["activations"], "energy_pJ": 3, "latency_ns": 2, "source": "toy"},
        {"name": "mac", "unit": "digital", "counts": ["digital_macs"], "energy_pJ": 1, "latency_ns": 1, "source": "toy"},
        {"name": "chi", "unit": "digital", "counts": ["chi_reads", "chi_writes"], "energy_pJ": 5, "latency_ns": 2, "lanes": 2, "source": "toy"},
        {"name": "set", "unit": "computational_memory", "counts": ["set_pulses"], "energy_pJ": 100, "latency_ns": 50, "overlapped": true, "source": "toy"}
      ],
      "references": [
        {"name": "digital", "synapses": 5, "energy_nJ": {"forward": 1, "backward": 0.5, "update": 1}, "time_us": {"forward": 1, "backward": 1, "update": 2}, "source": "toy"}
      ]
    })");
}

// One training image of a 3-2-2 network (3 inputs incl. bias, 2 hidden, 2 outputs; differential
// pairs), counted by hand the way tiles and network count.
StageCounts toy_image() {
    StageCounts c;
    OpCounts& f = c[Stage::forward];
    f.mvms = 2;                             // one per layer
    f.device_reads = 3 * 2 * 2 + 2 * 2 * 2; // driven rows x columns x 2 devices
    f.dac_conversions = 3 + 2;
    f.adc_conversions = 2 + 2;
    f.activations = 2 + 2;
    OpCounts& b = c[Stage::backward];
    b.mvms = 1; // transposed read of layer 2 only
    b.device_reads = 2 * 2 * 2;
    b.dac_conversions = 2;
    b.adc_conversions = 2;
    b.activations = 2;
    b.digital_macs = 2;
    OpCounts& u = c[Stage::update];
    u.digital_macs = 3 * 2 + 2 * 2; // every weight's outer-product entry
    u.chi_reads = 10;
    u.chi_writes = 10;
    u.set_pulses = 3;
    return c;
}

// Count profile of the mca-pcm reference run on 785-250-10 (3-bit update path; the calibration
// profile of resources/technology/mca-14nm.json), 100 images so that the fractional per-image
// rates (SET pulses, refresh every 100 images) are whole counts.
StageCounts table1_profile(std::uint64_t images, std::uint64_t nonzeros_per_image) {
    StageCounts c;
    OpCounts& f = c[Stage::forward];
    f.mvms = 2 * images;
    f.device_reads = (785ull * 250 * 2 + 250ull * 10 * 2) * images;
    f.dac_conversions = (785 + 250) * images;
    f.adc_conversions = (250 + 10) * images;
    f.activations = (250 + 10) * images;
    OpCounts& b = c[Stage::backward];
    b.mvms = images;
    b.device_reads = 10ull * 250 * 2 * images;
    b.dac_conversions = 10 * images;
    b.adc_conversions = 250 * images;
    b.activations = 250 * images;
    b.digital_macs = 250 * images;
    OpCounts& u = c[Stage::update];
    u.digital_macs = nonzeros_per_image * images;
    u.chi_reads = nonzeros_per_image * images;
    u.chi_writes = nonzeros_per_image * images;
    u.activations = (785 + 250 + 250 + 10 + 1) * images; // 3-bit quantisation, bias included
    u.set_pulses = 81 * images / 100;
    OpCounts& r = c[Stage::refresh];
    r.device_reads = (785ull * 250 * 2 + 250ull * 10 * 2) * images / 100;
    r.refreshed_pairs = 8 * images / 100;
    r.reset_pulses = 21 * images / 100;
    r.set_pulses = 116 * images / 100;
    r.verify_reads = 136 * images / 100;
    return c;
}

bool near(double got, double want, double rel) {
    return std::abs(got - want) <= rel * std::abs(want);
}

void expect_input_error(const nlohmann::json& j, const QString& must_contain) {
    try {
        technology_from_json(j, "preset");
        QFAIL(qPrintable("accepted a bad preset; expected an error naming " + must_contain));
    } catch (const InputError& e) {
        const QString msg = QString::fromStdString(e.what());
        QVERIFY2(msg.contains(must_contain), qPrintable(msg));
    }
}

} // namespace

class TestEnergy : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void handCountedToyNetwork() {
        auto tech = std::make_shared<const TechnologyPreset>(
            technology_from_json(toy_preset_json(), "toy"));
        EnergyLedger ledger(tech, 3 * 2 + 2 * 2);
        ledger.add(toy_image(), 1);
        ledger.add(toy_image(), 1);
        const EnergyReport s = ledger.report();
        QCOMPARE(s.images, std::uint64_t(2));
        // forward: 20 reads x 0.5 + 5 DAC x 2 + 4 ADC x 4 + 9 io x 1 + 4 act x 3 = 57 pJ
        QCOMPARE(s.energy_nJ_per_image[fwd], 0.057);
        // backward: 8 x 0.5 + 2 x 2 + 2 x 4 + 4 x 1 + 2 x 3 + 2 x 1 = 28 pJ
        QCOMPARE(s.energy_nJ_per_image[bwd], 0.028);
        // update: 10 MACs x 1 + 20 chi x 5 + 3 SET x 100 = 410 pJ
        QCOMPARE(s.energy_nJ_per_image[upd], 0.410);
        QCOMPARE(s.energy_nJ_per_image[ref], 0.0);
        QCOMPARE(s.energy_nJ_per_image[tot], 0.495);
        QCOMPARE(s.energy_nJ_cumulative[tot], 0.990);
        // forward: 2 MVMs x 10 + 9 io x 1 / 2 lanes + 4 act x 2 = 32.5 ns
        QCOMPARE(s.time_us_per_image[fwd], 0.0325);
        // backward: 10 + 4 x 1 / 2 + 2 x 2 + 2 x 1 = 18 ns
        QCOMPARE(s.time_us_per_image[bwd], 0.018);
        // update: max(serial 10 x 1 + 20 x 2 / 2 = 30, overlapped 3 SET x 50 = 150) = 150 ns
        QCOMPARE(s.time_us_per_image[upd], 0.150);
        QCOMPARE(s.time_us_per_image[tot], 0.2005);
        // units: computational memory = reads + DAC + ADC + SET
        QCOMPARE(s.memory_energy_nJ_per_image[tot], (14 + 14 + 24 + 300) * 1e-3);
        QCOMPARE(s.digital_energy_nJ_per_image[tot], (13 + 18 + 12 + 100) * 1e-3);
        // busy: MVMs 3 x 10 ns (the SET pulses are overlapped, not counted); digital 32.5 - 20
        // + 18 - 10 + 30 ns
        QCOMPARE(s.memory_busy_us_per_image[tot], 0.030);
        QCOMPARE(s.digital_busy_us_per_image[tot], 0.0505);
        // reference scaled from 5 to 10 synapses: 2 x 2.5 nJ
        QCOMPARE(s.references.size(), std::size_t(1));
        QCOMPARE(s.references[0].energy_nJ[tot], 5.0);
        QCOMPARE(s.references[0].energy_ratio, 5.0 / 0.495);
        QCOMPARE(s.references[0].speedup, 8.0 / 0.2005);

        const nlohmann::json j = to_json(ledger.report());
        QCOMPARE(j["energy_nJ_per_image"]["total"].get<double>(), 0.495);
        QCOMPARE(j["time_us_per_image"]["update"].get<double>(), 0.150);
        QVERIFY(j["energy_ratio_vs"].contains("digital"));
        QCOMPARE(j["components"].size(), tech->components.size());

        ledger.clear();
        QCOMPARE(ledger.report().energy_nJ_per_image[tot], 0.0);
    }

    void refreshFoldsIntoUpdate() {
        auto tech = std::make_shared<const TechnologyPreset>(
            technology_from_json(toy_preset_json(), "toy"));
        EnergyLedger ledger(tech, 10);
        StageCounts c = toy_image();
        c[Stage::refresh].set_pulses = 2;
        ledger.add(c, 1);
        const EnergyReport s = ledger.report();
        QCOMPARE(s.energy_nJ_per_image[ref], 0.2);
        QCOMPARE(s.energy_nJ_per_image[upd], 0.610);
        // the 5 SET pulses run beside the digital unit: max(30, 250) ns
        QCOMPARE(s.time_us_per_image[upd], 0.250);
        QCOMPARE(s.energy_nJ_per_image[tot], 0.057 + 0.028 + 0.610);
    }

    void adcEnergyFollowsResolution() {
        const TechnologyPreset t = technology_from_json(toy_preset_json(), "toy");
        OpCounts ops;
        ops.adc_conversions = 10;
        ops.adc_bit_conversions = 10 * 6; // 6-bit converter: halfway in the 4..8 table
        const StageCost c = stage_cost(t, ops);
        QCOMPARE(c.energy_pJ[3], 10 * 4 * 1.5 / 2);
        ops.adc_bit_conversions = 0; // ideal simulated converter: nominal bits
        QCOMPARE(stage_cost(t, ops).energy_pJ[3], 40.0);
        ops.adc_bit_conversions = 10 * 9; // beyond the table: x2 over 4 bits, i.e. 2^(1/4) per bit
        QCOMPARE(stage_cost(t, ops).energy_pJ[3], 10 * 4 * std::pow(2.0, 0.25));
    }

    void mcaPresetReproducesTable1() {
        auto tech = std::make_shared<const TechnologyPreset>(load_technology("mca-14nm"));
        EnergyLedger ledger(tech, 198760);
        ledger.add(table1_profile(100, 1584), 100);
        const EnergyReport s = ledger.report();
        qInfo().noquote() << QString::fromStdString(to_json(s).dump(1));
        const auto check = [](double got, double want, const char* what) {
            QVERIFY2(near(got, want, 0.05),
                     qPrintable(QString("%1: %2, Table 1 %3").arg(what).arg(got).arg(want)));
        };
        check(s.energy_nJ_per_image[fwd], 16.3, "forward energy nJ");
        check(s.energy_nJ_per_image[bwd], 4.91, "backward energy nJ");
        check(s.energy_nJ_per_image[upd], 62.03, "update energy nJ");
        check(s.energy_nJ_per_image[tot], 83.2, "total energy nJ");
        check(s.memory_energy_nJ_per_image[fwd], 7.29, "forward computational memory nJ");
        check(s.digital_energy_nJ_per_image[fwd], 8.97, "forward digital nJ");
        check(s.memory_energy_nJ_per_image[bwd], 2.15, "backward computational memory nJ");
        check(s.digital_energy_nJ_per_image[bwd], 2.76, "backward digital nJ");
        check(s.digital_energy_nJ_per_image[upd], 61.98, "update digital nJ");
        // The reference run programs more devices than the paper's (0.29 nJ against 0.05 nJ), a
        // share of the update stage too small to move its total.
        QVERIFY(s.memory_energy_nJ_per_image[upd] < 0.01 * s.energy_nJ_per_image[upd]);
        check(s.memory_busy_us_per_image[fwd], 0.27, "forward computational memory us");
        check(s.digital_busy_us_per_image[fwd], 0.34, "forward digital us");
        check(s.memory_busy_us_per_image[bwd], 0.13, "backward computational memory us");
        check(s.digital_busy_us_per_image[bwd], 0.09, "backward digital us");
        check(s.digital_busy_us_per_image[upd], 1.19, "update digital us");
        check(s.time_us_per_image[fwd], 0.61, "forward time us");
        check(s.time_us_per_image[bwd], 0.22, "backward time us");
        check(s.time_us_per_image[upd], 1.19, "update time us");
        check(s.time_us_per_image[tot], 2.02, "total time us");
        QCOMPARE(s.references.size(), std::size_t(2));
        QCOMPARE(QString::fromStdString(s.references[0].name), QString("32-bit digital"));
        QVERIFY2(near(s.references[0].energy_ratio, 172, 0.10),
                 qPrintable(QString::number(s.references[0].energy_ratio)));
        QVERIFY2(near(s.references[0].speedup, 11.5, 0.10),
                 qPrintable(QString::number(s.references[0].speedup)));
        QVERIFY2(near(s.references[1].energy_ratio, 22, 0.10),
                 qPrintable(QString::number(s.references[1].energy_ratio)));
        QVERIFY(near(s.images_per_second, 495e3, 0.05));
    }

    void fullPrecisionUpdateCostsMore() {
        // Every one of the 198,760 chi entries read, updated and written per image.
        auto tech = std::make_shared<const TechnologyPreset>(load_technology("mca-14nm"));
        EnergyLedger sparse(tech, 198760), full(tech, 198760);
        sparse.add(table1_profile(100, 1584), 100);
        full.add(table1_profile(100, 198760), 100);
        const double ratio =
            full.report().energy_nJ_per_image[upd] / sparse.report().energy_nJ_per_image[upd];
        QVERIFY2(ratio > 50, qPrintable(QString::number(ratio))); // about 115x
        QVERIFY(full.report().time_us_per_image[upd] > 50 * sparse.report().time_us_per_image[upd]);
    }

    void softwareRunPricesAtTheDigitalReference() {
        // fp32 counts what a 32-bit digital design does (every MAC, every weight read and
        // written), priced by digital-32bit-14nm: about 1x the Table 1 design, not a crossbar's.
        ExperimentConfig c = load_preset("fp32");
        c.dataset.source = "synthetic";
        c.dataset.synthetic_train = 64;
        c.dataset.synthetic_test = 16;
        auto data = std::make_shared<const DataSplit>(load_dataset(c.dataset));
        Experiment e(c, data);
        e.train(64);
        const EnergyReport r = e.energy_report();
        QCOMPARE(QString::fromStdString(r.references.at(0).name), QString("32-bit digital"));
        const double ratio = r.references[0].energy_ratio;
        QVERIFY2(near(ratio, 1.0, 0.02), qPrintable(QString::number(ratio)));
        QVERIFY(near(r.energy_nJ_per_image[fwd], 5620, 0.01));
        QVERIFY(near(r.energy_nJ_per_image[upd], 8640, 0.01));
    }

    void everyPresetLoads() {
        const auto names = technology_names();
        QVERIFY(names.size() >= 2);
        for (const auto& n : names) {
            const TechnologyPreset t = load_technology(n);
            QCOMPARE(QString::fromStdString(t.name), QString::fromStdString(n));
            for (const auto& c : t.components)
                QVERIFY(!c.source.empty());
        }
        QVERIFY_THROWS_EXCEPTION(InputError, load_technology("no-such-technology"));
    }

    void rramPresetFollowsReferenceSection4() {
        const TechnologyPreset t = load_technology("rram-32nm");
        const auto index = [&](const char* name) {
            for (std::size_t i = 0; i < t.components.size(); ++i)
                if (t.components[i].name == name) return i;
            return t.components.size();
        };
        OpCounts ops;
        ops.adc_conversions = 100;
        ops.dac_conversions = 10;
        ops.shift_adds = 1000;
        for (const auto& [bits, pJ] :
             {std::pair{4, 0.79}, std::pair{6, 1.20}, std::pair{10, 2.38}}) {
            ops.adc_bit_conversions = 100 * std::uint64_t(bits);
            QCOMPARE(stage_cost(t, ops).energy_pJ[index("adc")], 100 * pJ);
        }
        QCOMPARE(stage_cost(t, ops).energy_pJ[index("dac")], 10 * 0.42);
        QCOMPARE(stage_cost(t, ops).energy_pJ[index("shift_add")], 1000 * 0.021);
        QCOMPARE(t.references.size(), std::size_t(2)); // GPU (TIME's DRL) and DaDianNao
    }

    void rejectsBadNumbers() {
        nlohmann::json j = toy_preset_json();
        j["components"][3]["energy_pJ"] = -1.0;
        expect_input_error(j, "components[3] (adc).energy_pJ");

        j = toy_preset_json();
        j["components"][2].erase("energy_pJ");
        expect_input_error(j, "components[2] (dac).energy_pJ is missing");

        j = toy_preset_json();
        j["components"][1].erase("latency_ns");
        expect_input_error(j, "components[1] (read).latency_ns is missing");

        j = toy_preset_json();
        j["components"][4]["latency_ns"] = "fast";
        expect_input_error(j, "components[4] (io).latency_ns");

        // nlohmann keeps a NaN as a float: validation must catch it.
        j = toy_preset_json();
        j["components"][5]["energy_pJ"] = std::numeric_limits<double>::quiet_NaN();
        expect_input_error(j, "components[5] (act).energy_pJ");

        j = toy_preset_json();
        j["components"][0]["counts"] = {"mvm"};
        expect_input_error(j, "counts[0]");

        j = toy_preset_json();
        j["references"][0]["energy_nJ"]["update"] = -5;
        expect_input_error(j, "energy_nJ.update");

        j = toy_preset_json();
        j["components"][6]["energy_pj"] = 1;
        expect_input_error(j, "energy_pj is not a known field");

        // A preset built in code is checked the same way.
        TechnologyPreset t = technology_from_json(toy_preset_json(), "toy");
        t.components[6].energy_pJ = std::numeric_limits<double>::quiet_NaN();
        try {
            t.validate();
            QFAIL("NaN energy accepted");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).contains("components[6] (mac).energy_pJ"), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestEnergy)
#include "tst_energy.moc"
