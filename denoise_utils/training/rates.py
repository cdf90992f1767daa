"""An AdamW whose chosen variables learn at a fraction of the rate (§5.4): pretrained
weights move slowly while new ones learn, inside one ``fit``."""

import keras


@keras.saving.register_keras_serializable(package="denoise_utils")
class ScaledAdamW(keras.optimizers.AdamW):
    """AdamW (Loshchilov & Hutter, 2019) in which the variables whose paths are in ``slow``
    take steps ``slow_scale`` times as large. Saved with the model, so a run resumes with it."""

    def __init__(self, learning_rate=1e-3, *, slow=(), slow_scale=1.0, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.slow, self.slow_scale = list(slow), float(slow_scale)
        self._slow = set(self.slow)

    def build(self, var_list):
        super().build(var_list)
        # by index: the backend may hand update_step its own variable, without Keras's path
        self._slow_index = {i for i, v in enumerate(var_list) if v.path in self._slow}

    def update_step(self, gradient, variable, learning_rate):
        if self._slow and self._get_variable_index(variable) in self._slow_index:
            learning_rate = learning_rate * self.slow_scale
        super().update_step(gradient, variable, learning_rate)

    def get_config(self):
        return {**super().get_config(), "slow": self.slow, "slow_scale": self.slow_scale}
