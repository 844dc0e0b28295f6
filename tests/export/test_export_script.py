"""export_saved_model.py: from --zoo_model or --model_dir to a served version folder.

The script runs in subprocesses: its absl flags (``--model_dir``) would
collide with the trainers' in the test process.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Registers a zoo entry and writes a training-run folder, then runs main() for each flag.
_EXPORT_BOTH_WAYS = textwrap.dedent(
    """
    import sys
    import numpy as np
    import tensorflow as tf
    import pixel_zoo as pz
    from absl import flags
    from export import export_saved_model
    from pixel_zoo import model_dir
    from test_case import tiny_model

    tmp = sys.argv[1]
    model = tiny_model("pixelcnn", (4, 4, 1), num_levels=2)
    model.save_weights(f"{tmp}/tiny.weights.h5")
    pz.zoo.register(pz.zoo.ZooEntry(
        name="zoo_tiny", model="pixelcnn", image_shape=(4, 4, 1), num_levels=2,
        hyperparameters={"num_layers": 2, "hidden_units": 6},
        weights=f"{tmp}/tiny.weights.h5", sha256=pz.zoo.sha256_of(f"{tmp}/tiny.weights.h5"),
    ))
    run = f"{tmp}/runs/my_run/"
    model_dir.write_config(run, model, dataset="none")
    tf.train.CheckpointManager(
        model_dir.make_checkpoint(model), model_dir.checkpoint_dir(run), 1
    ).save()

    def export(*argv):
        flags.FLAGS.unparse_flags()
        flags.FLAGS(["export_saved_model", f"--export_dir={tmp}/serving", *argv])
        export_saved_model.main([])

    export("--zoo_model=zoo_tiny")
    export(f"--model_dir={run}", "--version=2", "--max_num=4")
    images = np.random.default_rng(0).integers(0, 2, (3, 4, 4, 1)).astype(np.uint8)
    np.savez(f"{tmp}/expected.npz", images=images, log_prob=model.log_prob(images))
    """
)


def _python(*args, cwd=REPO):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([REPO, os.path.join(REPO, "tests")])}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=300, cwd=cwd, env=env,
        check=False,
    )


def test_zoo_model_and_model_dir_export_to_named_versions(tmp_path):
    script = tmp_path / "export_both_ways.py"
    script.write_text(_EXPORT_BOTH_WAYS)
    result = _python(str(script), str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Exported {tmp_path}/serving/zoo_tiny/1" in result.stdout
    assert f"Exported {tmp_path}/serving/my_run/2" in result.stdout

    expected = np.load(tmp_path / "expected.npz")
    for path in ("zoo_tiny/1", "my_run/2"):
        served = tf.saved_model.load(str(tmp_path / "serving" / path))
        log_prob = served.signatures["log_prob"](images=tf.constant(expected["images"]))
        np.testing.assert_allclose(log_prob["log_prob"], expected["log_prob"], rtol=1e-5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="num must be <= max_num=4"):
        served.sample(tf.constant(5), tf.constant([1, 2], tf.int64))


def test_exactly_one_model_source_is_required(tmp_path):
    result = _python("-m", "export.export_saved_model", f"--export_dir={tmp_path}")
    assert result.returncode != 0
    assert "one of (model_dir, zoo_model) must have a value" in result.stderr
    assert not os.listdir(tmp_path)
